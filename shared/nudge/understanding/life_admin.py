"""Life admin in plain words: groceries, money, meals, places and the weekly look back.

Forms that decide by themselves ("spent 12.50 on lunch", "what do I need from the store?"),
each read into an intent and its slots for the offline model.
"""

from __future__ import annotations

import re

from nudge.understanding.groceries import is_grocery
from nudge.understanding.money import amount, category
from nudge.understanding.normalize import clean as _clean
from nudge.understanding.split import list_items

_MONEY = r"[$£€]?\s*\d{1,7}(?:[.,]\d{1,2})?\s*(?:dollars|bucks|pounds|euros|quid)?"
_SPENT = re.compile(
    rf"^(?:i\s+)?(?:just\s+)?(?:spent|paid|spend|dropped)\s+(?P<amount>{_MONEY})\s+"
    r"(?:on|for|at)\s+(?P<what>.+)$|"
    rf"^(?P<amount2>[$£€]\s*\d{{1,7}}(?:[.,]\d{{1,2}})?|\d{{1,7}}[.,]\d{{2}})\s+(?:on|for)\s+"
    r"(?P<what2>.+)$",
    re.I,
)
_HOW_MUCH = re.compile(
    r"^how much (?:money )?(?:(?:have i|did i|i'?ve|i have|i)\s+)?(?:(?:spent|spend)\b\s*"
    r"(?:on (?P<what>.+?))?|(?:on|for) (?P<on>.+?))"
    r"(?:\s+(?P<period>this month|this week|today|last month|so far))?"
    r"[?!. ]*$",
    re.I,
)
_BUDGET = re.compile(
    rf"^(?:set\s+)?(?:my\s+|a\s+)?(?:monthly\s+)?budget\s+(?:for\s+|on\s+)?(?P<what>[a-z ]+?)"
    rf"\s+(?:is\s+|to\s+|at\s+|of\s+)?(?P<amount>{_MONEY})(?:\s+a month)?$|"
    rf"^(?:set\s+)?(?:a\s+|my\s+)?(?P<amount2>{_MONEY})\s+(?:a month\s+|monthly\s+)?budget\s+"
    r"(?:for|on)\s+(?P<what2>.+)$",
    re.I,
)
_GROCERY_ADD = re.compile(
    r"^(?:add|put)\s+(?P<a>.+?)\s+(?:to|on)\s+(?:my|the)\s+(?:grocery|groceries|shopping)"
    r"(?:\s+list)?$|^(?:groceries|grocery list|shopping list|shopping)\s*[:\-]\s*(?P<b>.+)$|"
    r"^(?:we'?re|i'?m|we are|i am)\s+(?:all\s+)?out of\s+(?P<c>.+)$|"
    r"^(?:need|get|pick up|grab)\s+(?P<d>.+?)\s+from the (?:store|shop|shops|supermarket)$",
    re.I,
)
_GROCERY_LIST = re.compile(
    r"^(?:what do (?:i|we) need from the (?:store|shops?|supermarket)|"
    r"(?:what'?s on |show |send )?(?:me )?(?:my |the )?(?:grocery|shopping) list|"
    r"what groceries do (?:i|we) need)[?!. ]*$",
    re.I,
)
_GOT_ALL = re.compile(r"^(?:got|bought|picked up) (?:everything|it all|all of it|all the)\b", re.I)
_PLACE_AT = re.compile(
    r"^(?:the |my )?(?P<name>[a-z' ]{2,40}?)(?:'s| is) (?:at|on|located at) (?P<address>.+)$",
    re.I,
)
_STREET = re.compile(
    r"\d|\b(?:st|street|rd|road|ave|avenue|blvd|lane|ln|dr|drive|way|plaza)\b", re.I
)
_DAY = r"(?:today|tonight|tomorrow|(?:next |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
_RECIPE = re.compile(
    r"^(?:save (?:a |this |my )?recipe|new recipe|recipe)(?: for)?\s*[:\-]?\s*(?P<name>[^:\n]+?)"
    r"\s*(?::|\n)\s*(?P<body>.+)$",
    re.I | re.S,
)
_STEPS = re.compile(r"(?:^|[\n;.]\s*)(?:steps|method|directions|instructions)\s*[:\-]\s*", re.I)
_PLAN_MEAL = re.compile(
    rf"^(?:plan|let'?s have|we'?ll have|i'?ll make|put)\s+(?P<recipe>.+?)\s+(?:for|on)\s+"
    rf"(?:dinner\s+(?:on\s+)?)?(?P<day>{_DAY})(?:\s+(?:for\s+)?(?:dinner|night))?$|"
    rf"^(?P<recipe2>.+?)\s+for dinner\s+(?:on\s+)?(?P<day2>{_DAY})$",
    re.I,
)
_DINNER = re.compile(
    rf"^(?:what'?s for (?:dinner|tea|supper)|what am i (?:eating|cooking|making)|"
    rf"what'?s the meal plan)(?:\s+(?P<day>{_DAY}))?[?!. ]*$",
    re.I,
)
_REVIEW = re.compile(
    r"^(?:how did (?:my|this) week go|(?:my |the )?week(?:ly)? (?:review|look ?back|recap)|"
    r"look back (?:at|on) (?:my|the|this) week|how was my week)[?!. ]*$",
    re.I,
)
_REVIEW_OPT = re.compile(
    r"^(?P<verb>turn on|turn off|start|stop|enable|disable|no more|i want|send me)\s+"
    r"(?:the |a |my )?"
    r"(?:weekly|sunday|week) (?:review|look ?backs?|recaps?|summar(?:y|ies))(?:\s+(?:on|off))?$",
    re.I,
)
_PERIODS = {"this month": "this_month", "this week": "this_week", "today": "today",
            "last month": "last_month", "so far": "this_month"}  # fmt: skip


def read_recipe(text: str) -> tuple[str, dict] | None:
    """ "recipe pancakes: 2 cups flour, 2 eggs; steps: mix; fry" -> one save_recipe."""
    m = _RECIPE.match(text.strip())
    if m is None:
        return None
    parts = _STEPS.split(m["body"], maxsplit=1)
    ingredients = [i for chunk in re.split(r"[\n;]+", parts[0]) for i in list_items(chunk)]
    steps = []
    if len(parts) > 1:
        steps = [_clean(x) for x in re.split(r"\n+|;|\bthen\b|\d+[.)]\s", parts[1])]
    return ("save_recipe", {"name": _clean(m["name"]),
                                   "ingredients": [i for i in ingredients if _clean(i)],
                                   "steps": [x for x in steps if x]})  # fmt: skip


def read_life_admin(text: str) -> tuple[str, dict] | None:
    """Groceries, money and places: forms that decide by themselves."""
    if m := _SPENT.match(text):
        value = amount(m["amount"] or m["amount2"])
        if value is not None:
            what = _clean(m["what"] or m["what2"])
            return ("log_expense", {"amount": str(value), "category": category(what),
                                           "note": what})  # fmt: skip
    if m := _HOW_MUCH.match(text):
        slots = {"period": _PERIODS.get((m["period"] or "this month").lower(), "this_month")}
        if m["what"] or m["on"]:
            slots["category"] = category(m["what"] or m["on"])
        return ("spending", slots)
    if m := _BUDGET.match(text):
        value = amount(m["amount"] or m["amount2"])
        if value is not None:
            return ("set_budget", {"category": category(m["what"] or m["what2"]),
                                          "amount": str(value)})  # fmt: skip
    if m := _DINNER.match(text):
        return ("whats_for_dinner", {"day": (m["day"] or "today").lower()})
    if m := _PLAN_MEAL.match(text):
        return ("plan_meal", {"recipe": _clean(m["recipe"] or m["recipe2"]),
                                     "day": (m["day"] or m["day2"]).lower()})  # fmt: skip
    if _REVIEW.match(text):
        return ("week_review", {})
    if m := _REVIEW_OPT.match(text):
        off = m["verb"].lower() in ("turn off", "stop", "disable", "no more")
        return ("weekly_review_opt", {"on": not off})
    if _GROCERY_LIST.match(text):
        return ("list_groceries", {})
    if m := _GROCERY_ADD.match(text):
        items = list_items(m["a"] or m["b"] or m["c"] or m["d"])
        return ("add_groceries", {"items": items})
    if _GOT_ALL.match(text):
        return ("got_groceries", {"items": []})
    if (m := _PLACE_AT.match(text)) and _STREET.search(m["address"]):
        name = m["name"].strip()
        if not is_grocery(name) and len(name.split()) <= 4:
            return ("save_place", {"name": name, "address": _clean(m["address"])})
    return None
