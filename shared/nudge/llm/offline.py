"""The offline model: plain commands without an LLM.

When Gemini is unconfigured, over quota or down, people still get a useful answer and nothing
they asked to keep is lost. It speaks the same protocol as Gemini: it answers a user message
with function calls to the same tools, then turns the tool results into a short SMS reply.
"""

from __future__ import annotations

import re

from nudge.conversation.bursts import looks_unfinished
from nudge.llm.offline_account import describe_account, understand_account
from nudge.llm.offline_calendar import describe_calendar, understand_calendar
from nudge.llm.offline_integrations import describe_integration, understand_integration
from nudge.llm.types import (
    ASK_NAME,
    ASK_TIMEZONE,
    ChatMessage,
    FunctionCall,
    FunctionResult,
    ModelReply,
    ModelRequest,
    TurnFacts,
)
from nudge.pronouns import second_person
from nudge.reminders.phrases import split_reminder
from nudge.reminders.timeparse import is_time_phrase
from nudge.sms.keywords import HELP_TEXT
from nudge.timezones import resolve_timezone
from nudge.understanding.reader import YES, Reader, Reading, looks_like_a_name

_GREETING = re.compile(r"^(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))\b", re.I)
# Shown once; after that, one line.
MENU = "I'm in simple mode right now, so I understand plain commands. " + HELP_TEXT
MENU_AGAIN = 'Sorry, I didn\'t catch that. Try saying it another way, or text "help".'
_OFFER = re.compile(r'^Should I add "(?P<title>.+)" to your list\?$', re.M)
_FEELINGS = ("feeling_overwhelmed", "feeling_low", "not_done")
# "Sam, Toronto", "I'm Sam from Leeds", "Ana in Madrid": both onboarding answers in one text.
_NAME_AND_PLACE = re.compile(
    r"^(?:(?:hi|hey|hello)[,!]?\s+)?(?:i'?m|i am|my name is|call me|it'?s|this is)?\s*"
    r"(?P<name>[a-z][a-z'-]*(?:\s+[a-z][a-z'-]*)?)\s*(?:,|;|\s-\s|\s(?:from|in|and i'?m in|"
    r"and i live in|living in|based in)\s)\s*(?P<place>[^,;]+?(?:,\s*[^,;]+)?)[.!]?$",
    re.I,
)

_BARE_NUMBER = re.compile(r"^(?:#|no\.?|number|num)?\s*(?P<n>\d{1,2})$", re.I)
_SHOWN_ITEM = re.compile(r"^(?P<n>\d{1,2})\. (?P<title>.+?)(?: \(.*\))?$", re.M)

# Without an LLM to judge relevance, only close memories are offered as answers (cosine
# distance; measured with WordLlama: related questions 0.17-0.61, unrelated 0.83+).
RECALL_MAX_DISTANCE = 0.75


def _clean(text: str) -> str:
    return text.strip().strip(" .!").strip()


# "buy milk", "get some eggs", or just "milk and eggs" ("we need milk and eggs").
_BUY = re.compile(r"^(?:(?:buy|get|pick up|grab)\s+)?(?:some\s+)?(?P<items>.+)$", re.I)
_GOT = re.compile(r"^(?:i\s+)?(?:just\s+)?(?:got|bought|picked up)\s+(?P<items>.+)$", re.I)
# "add buy milk to my list": they chose the to-do list.
_TODO_LIST = re.compile(r"\b(?:to ?do|to-do|my list|the list|tasks?)\b", re.I)
_WHERE = re.compile(r"^where(?:'s| is) (?:my |the )?(?P<name>[\w' ]+?)\??$", re.I)


def _groceries_in(text: str, form: re.Pattern) -> list[str] | None:
    """The items of "buy milk, eggs and bread" when every one is a grocery, else None."""
    from nudge.understanding.groceries import is_grocery
    from nudge.understanding.split import list_items

    m = form.match(text.strip())
    if m is None:
        return None
    items = [re.sub(r"^(?:the|some)\s+", "", i, flags=re.I) for i in list_items(m["items"])]
    return items if items and all(is_grocery(i) for i in items) else None


def _money(amount: str, currency: str) -> str:
    symbol = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "GBP": "£", "EUR": "€"}
    return f"{symbol[currency]}{amount}" if currency in symbol else f"{amount} {currency}"


def shown_list(facts: TurnFacts) -> list[str]:
    """The numbered items of the last list Nudge sent, in order."""
    for reply in reversed(facts.recent_replies):
        items = [m["title"] for m in _SHOWN_ITEM.finditer(reply)]
        if items:
            return items
    return []


# The intent of a reading whose tool call an integration's reader made whole.
TOOL_CALL = "tool_call"


class OfflineModel:
    name = "offline"

    def __init__(self, embedder=None) -> None:
        # The local embedder for intents; None means the process's WordLlama, loaded on first use.
        self._embedder = embedder
        self._reader: Reader | None = None

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            from nudge.understanding.intents import IntentClassifier, default_classifier

            classifier = (
                IntentClassifier(self._embedder) if self._embedder is not None
                else default_classifier()
            )  # fmt: skip
            self._reader = Reader(classifier)
        return self._reader

    def generate(self, request: ModelRequest) -> ModelReply:
        last = request.messages[-1]
        if last.role == "tool":
            return ModelReply(model=self.name, text=self._compose(request))
        readings = self.understand(last.text or "", request.facts)
        calls = [call for r in readings for call in self._calls(r, request.facts)]
        if calls:
            return ModelReply(model=self.name, function_calls=calls)
        return ModelReply(model=self.name, text=self._chat(readings, request.facts))

    # -- understanding ---------------------------------------------------------------------

    def understand(self, text: str, facts: TurnFacts) -> list[Reading]:
        """What the text asks for, read with what Nudge last asked."""
        line = _clean(text)
        if (account_call := understand_account(line)) is not None:
            return [Reading(TOOL_CALL, {"call": account_call}, line)]
        if (calendar_call := understand_calendar(line, facts)) is not None:
            return [Reading(TOOL_CALL, {"call": calendar_call}, line)]
        # "remind me to look up flights at 5" stays a reminder.
        if (
            split_reminder(line) is None
            and (integration_call := understand_integration(line, facts)) is not None
        ):
            return [Reading(TOOL_CALL, {"call": integration_call}, line)]
        if facts.pending_reminder and self._answers_pending(line, facts):
            return [Reading("set_reminder", {"text": facts.pending_reminder, "when": line}, line)]
        if facts.awaiting == "timezone" and resolve_timezone(line):
            return [Reading("set_timezone", {"place": line}, line)]
        if facts.awaiting == "name" and (both := _name_and_place(line)) is not None:
            name, place = both
            return [
                Reading("set_name", {"name": name}, line),
                Reading("set_timezone", {"place": place}, line),
            ]
        if facts.awaiting == "name" and resolve_timezone(line, gazetteer=False):
            # "Toronto" answers where they are, even before their name: rarely a name.
            return [Reading("set_timezone", {"place": line}, line)]
        if (number := _BARE_NUMBER.match(line)) and facts.recent_replies:
            # "1" answering "Which task should I drop?" (or a list just shown with a question)
            asked = facts.recent_replies[-1]
            if "drop" in asked.lower() or "delete" in asked.lower():
                return [Reading("drop_task", {"number": int(number["n"])}, line)]
            if "which one" in asked.lower() or "done" in asked.lower():
                return [Reading("complete_task", {"number": int(number["n"])}, line)]
        offer = next((m for r in facts.recent_replies[-1:] if (m := _OFFER.search(r))), None)

        if offer is not None and YES.match(line):
            return [Reading("add_task", {"title": offer["title"]}, line)]
        readings = self.reader.read(text, user_name=facts.user_name)
        unsure = len(readings) == 1 and readings[0].intent in ("ask", "unknown", "recall")
        if unsure and looks_unfinished(line):
            return [Reading("go_on", {}, line)]  # "ok so": the point is in the next text
        if (
            facts.awaiting == "name"
            and unsure
            and looks_like_a_name(line)
            and not _GREETING.match(line)
            and not line.endswith("?")
        ):
            return [Reading("set_name", {"name": line.title()}, line)]
        return [Reading("acknowledge", {}, r.text) if r.intent == "yes" else r for r in readings]

    def _calls(self, reading: Reading, facts: TurnFacts) -> list[FunctionCall]:
        slots = reading.slots

        def call(name: str, args: dict | None = None) -> list[FunctionCall]:
            return [FunctionCall(name=name, args=args or {})]

        match reading.intent:
            case "tool_call":  # an integration's own reader already chose the call
                return [slots["call"]]
            case "add_task" if (
                not _TODO_LIST.search(reading.text)
                and (items := _groceries_in(slots["title"], _BUY)) is not None
            ):
                return call("add_groceries", {"items": items})
            case "add_task":
                return call("add_task", {"title": slots["title"]})
            case "complete_task" if (items := _groceries_in(reading.text, _GOT)) is not None:
                return call("got_groceries", {"items": items})
            case "add_groceries" | "got_groceries":
                return call(reading.intent, {"items": slots.get("items", [])})
            case "list_groceries":
                return call("list_groceries")
            case "log_expense" | "spending" | "save_place" | "save_recipe" | "plan_meal":
                return call(reading.intent, slots)
            case "whats_for_dinner":
                return call(reading.intent, slots)
            case "week_review":
                return call("week_review")
            case "weekly_review_opt":
                return call("set_preferences", {"weekly_review": slots["on"]})
            case "set_budget":
                return call(
                    "set_budget", {"category": slots["category"], "monthly_amount": slots["amount"]}
                )
            case "recall" if (m := _WHERE.match(reading.text)) is not None:
                return call("where_is", {"name": m["name"]}) + call("recall", slots)
            case "list_tasks" | "list_reminders" | "what_now" | "about_me" | "list_goals":
                return call(reading.intent)
            case "complete_task" | "drop_task":
                if "number" in slots:
                    title = self._numbered(slots["number"], facts)
                    return call(reading.intent, {"title": title}) if title else []
                if reading.intent == "complete_task" and facts.reminder_waiting:
                    said = set(slots.get("title", "").lower().split())
                    if not said or said & set(facts.reminder_waiting.lower().split()):
                        return call("reminder_done")
                return call(reading.intent, slots)
            case (
                "set_reminder"
                | "cancel_reminder"
                | "move_reminder"
                | "set_energy"
                | "remember"
                | "recall"
                | "forget"
                | "set_name"
                | "add_goal"
            ):
                return call(reading.intent, slots)  # the tool of the same name
            case "snooze":
                return call("snooze_reminder", {"minutes": slots.get("minutes", 10)})
            case "break_down":
                return call("break_down_task", slots)
            case "set_timezone":
                return call("set_timezone", {"timezone": slots["place"]})
            case "feeling_overwhelmed" | "feeling_low" if slots.get("what_now"):
                return call("what_now")
            case "acknowledge" if facts.reminder_waiting and re.search(
                r"\b(?:took|did|done|finished)\b", reading.text, re.I
            ):
                return call("reminder_done")
            case _:
                return []

    @staticmethod
    def _numbered(number: int, facts: TurnFacts) -> str | None:
        items = shown_list(facts)
        if not items or not (-len(items) <= number <= len(items)) or number == 0:
            return None
        return items[number - 1] if number > 0 else items[number]

    @staticmethod
    def _answers_pending(line: str, facts: TurnFacts) -> bool:
        """ "5pm" after "What time today?": the time for the reminder just asked about."""
        if split_reminder(line) is not None:
            return False
        answer = _clean(line)
        return is_time_phrase(answer) or is_time_phrase(f"{facts.pending_when} {answer}")

    # -- answering -------------------------------------------------------------------------

    def _chat(self, readings: list[Reading], facts: TurnFacts) -> str:
        lines = [self._say(r, facts) for r in readings]
        reply = " ".join(line for line in lines if line)
        if any(r.intent in _FEELINGS for r in readings):
            return reply  # a hard moment gets one offer, not an onboarding question too
        return self._with_onboarding(reply, facts)

    def _say(self, reading: Reading, facts: TurnFacts) -> str:
        """The words for a reading that needs no tool (or whose tool found nothing to do)."""
        name = f" {facts.user_name}" if facts.user_name else ""
        match reading.intent:
            case "feeling_overwhelmed":
                return (
                    f"That sounds like a lot{name}, and it makes sense you feel swamped. "
                    "You don't have to fix it all today. Want me to pick just one small thing?"
                )
            case "feeling_low":
                return (
                    "I'm sorry, that sounds really heavy. Having a hard time doesn't make you "
                    "a failure, and nothing here is too much. Want to pick one tiny thing "
                    "together, or just rest for now?"
                )
            case "acknowledge":
                if re.search(r"thank|\bty\b|lifesaver|best|awesome|appreciate", reading.text, re.I):
                    return "Anytime!" + (f' Did "{facts.reminder_waiting}" get done?'
                                          if facts.reminder_waiting else "")  # fmt: skip
                if facts.reminder_waiting:
                    return f'Nice. Reply "done" when "{facts.reminder_waiting}" is done.'
                return "👍"
            case "greeting":
                return f"Hi{name}! What's one thing on your mind? I can hold it for you."
            case "go_on":
                return "I'm listening, go on."
            case "not_done":
                return (
                    "That's okay, it happens. It stays on your list, no pressure. "
                    'Want a tiny first step? Text "break it down".'
                )
            case "starting":
                return 'Go you! Text "done" when it\'s done, or "stuck" if it gets hard.'
            case "decline":
                return 'Okay, leaving it. If I got something wrong, text "list" or "reminders".'
            case "time_now":
                return f"It's {facts.local_time}." if facts.local_time else "I can't tell the time."
            case "help":
                return MENU
            case "out_of_scope":
                return "I can't do that one, sorry. I'm good at lists, reminders and one next step."
            case "ask":
                return reading.slots.get("question") or "Could you say that another way?"
            case "complete_task" | "drop_task" if "number" in reading.slots:
                return 'Which one? Text "list" and I\'ll number them for you.'
            case _:
                if any(MENU in r for r in facts.recent_replies):
                    return MENU_AGAIN
                return MENU

    def _compose(self, request: ModelRequest) -> str:
        results: list[tuple[FunctionCall, FunctionResult]] = []
        # The tool results of this turn: everything after the last user message.
        tail: list[ChatMessage] = []
        for message in reversed(request.messages):
            if message.role == "user":
                break
            tail.append(message)
        pending: list[FunctionCall] = []
        for message in reversed(tail):
            if message.role == "model":
                pending = list(message.function_calls)
            elif message.role == "tool":
                for index, result in enumerate(message.function_results):
                    call = (
                        pending[index] if index < len(pending) else FunctionCall(name=result.name)
                    )
                    results.append((call, result))
        facts = request.facts
        if any(r.name == "where_is" and r.response.get("found") for _, r in results):
            results = [(c, r) for c, r in results if c.name != "recall"]
        lines = [self._describe(call, result.response) for call, result in results]
        added = [r for c, r in results if c.name == "add_task" and r.response.get("ok")]
        if len(added) >= 2:  # a brain dump: one numbered reply that offers where to start
            titles = [second_person(r.response["title"]) for r in added]
            numbered = "\n".join(f"{i}. {t}" for i, t in enumerate(titles, 1))
            others = [
                self._describe(c, r.response)
                for c, r in results
                if not (c.name == "add_task" and r.response.get("ok"))
            ]
            lines = [f"Got all {len(titles)}:\n{numbered}\nStart with 1 ({titles[0]})?", *others]
        user_text = next((m.text for m in reversed(request.messages) if m.role == "user"), "")
        said = [
            self._say(r, facts)
            for r in self.understand(user_text or "", facts)
            if r.intent in ("feeling_overwhelmed", "feeling_low", "acknowledge", "greeting")
        ]
        if said and any(c.name == "what_now" for c, _ in results):
            said = [s.split(" Want ")[0] for s in said]  # the pick is the offer
        lines = said + lines
        for _, result in results:  # what this turn just learned
            if result.name == "set_name" and result.response.get("ok"):
                facts = facts.model_copy(update={"user_name": result.response["name"]})
            if result.name == "set_timezone" and result.response.get("ok"):
                facts = facts.model_copy(update={"timezone_known": True})
        return self._with_onboarding(" ".join(line for line in lines if line), facts)

    def _describe(self, call: FunctionCall, result: dict) -> str:
        if result.get("error"):
            return f"Hmm, that didn't work: {result['error']}"
        if result.get("question"):
            return result["question"]
        if (account_reply := describe_account(call.name, result)) is not None:
            return account_reply
        if (calendar_reply := describe_calendar(call.name, result)) is not None:
            return calendar_reply
        if (text := describe_integration(call.name, result)) is not None:
            return text
        match call.name:
            case "set_reminder":
                return f"Okay! I'll remind you to {result['text']} {result['when']}."
            case "list_reminders":
                items = result.get("reminders", [])
                if not items:
                    return 'No reminders coming up. Text "remind me at 5 to ..." to add one.'
                return "Coming up:\n" + "\n".join(f"- {r['when']}: {r['text']}" for r in items)
            case "cancel_reminder":
                return "Cancelled." if result.get("ok") else result.get("message", "")
            case "snooze_reminder":
                if not result.get("ok"):
                    return result.get("message", "")
                return f"Snoozed. I'll remind you to {result['text']} {result['when']}."
            case "break_down_task":
                steps = "\n".join(
                    f"{i}. {step['title']} ({step['minutes']} min)"
                    for i, step in enumerate(result["steps"], 1)
                )
                task = second_person(result["task"])
                return f'Tiny steps for "{task}":\n{steps}\nJust start with 1.'
            case "what_now":
                if not result.get("pick"):
                    return result.get("message", "Nothing on your list.")
                minutes = f" (about {result['minutes']} min)" if result.get("minutes") else ""
                pick = second_person(result["pick"])
                return f"Do this now: {pick}{minutes}. Text done when it's done."
            case "set_energy":
                if result["level"] == "bad_day":
                    return ("Okay, bad day mode: tiny steps only, no pressure. "
                            "Text \"what now\" if you want one small thing.")  # fmt: skip
                return f"Got it, {result['level']} energy today. I'll match that."
            case "add_goal":
                return f"Goal saved: {result['title']}. Want to add a first task for it?"
            case "list_goals":
                goals = result.get("goals", [])
                if not goals:
                    return 'No goals yet. Text "goal: ..." to add one.'
                return "Your goals:\n" + "\n".join(
                    f"- {g['title']} ({g['progress']}%)" for g in goals
                )
            case "forget":
                if not result.get("ok"):
                    return result.get("message", "I couldn't find that.")
                return f'Forgotten: "{result["forgot"]}". It\'s gone from my memory.'
            case "drop_task":
                return f'Dropped "{second_person(result["dropped"])}". One less thing.'
            case "reminder_done":
                if not result.get("ok"):
                    return "Nothing to mark done."
                return f'Nice, "{result["text"]}" is done!' if result.get("text") else "Nice!"
            case "add_task":
                return f'Got it, added "{second_person(result["title"])}" to your list.'
            case "list_tasks":
                return self._list(result)
            case "move_reminder":
                return f"Moved. I'll remind you to {result['text']} {result['when']}."
            case "add_groceries":
                added, already = result.get("added", []), result.get("already_on_list", [])
                text = f"Added to your grocery list: {', '.join(added)}." if added else ""
                if already:
                    text += f" Already on it: {', '.join(already)}."
                return text.strip()
            case "list_groceries":
                groups = result.get("groups", {})
                if not groups:
                    return "Your grocery list is empty."
                lines = [
                    f"{aisle.capitalize()}: {', '.join(items)}" for aisle, items in groups.items()
                ]
                return f"From the store ({result['count']}):\n" + "\n".join(lines)
            case "got_groceries":
                if not result.get("got"):
                    return "That wasn't on your grocery list."
                left = result.get("left", 0)
                return f"Got it: {', '.join(result['got'])}." + (
                    f" {left} left on the list." if left else " That's the whole list!"
                )
            case "log_expense":
                money = _money(result["amount"], result["currency"])
                total = _money(result["month_total"], result["currency"])
                text = f"Logged {money} on {result['category']}. {total} this month."
                if result.get("heads_up"):
                    budget = _money(result["budget"], result["currency"])
                    text += (
                        f" Heads up: that's over 80% of your {budget} {result['category']} budget."
                    )
                return text
            case "spending":
                total = _money(result["total"], result["currency"])
                period = result["period"].replace("_", " ")
                if result.get("category"):
                    return f"You've spent {total} on {result['category']} {period}."
                parts = ", ".join(
                    f"{k} {_money(v, result['currency'])}" for k, v in result["by_category"].items()
                )
                return f"You've spent {total} {period}." + (f" ({parts})" if parts else "")
            case "set_budget":
                return f"Budget set: {result['monthly_budget']} a month for {result['category']}."
            case "save_place":
                return f"Saved: {result['name']}, {result['address']}."
            case "save_recipe":
                return (
                    f"Saved the recipe for {result['name']} ({result['ingredients']} ingredients)."
                )
            case "plan_meal":
                text = f"{result['recipe']} is planned for {result['day']} {result['meal']}."
                if result.get("groceries"):
                    text += f" Added to your grocery list: {', '.join(result['groceries'])}."
                return text
            case "whats_for_dinner":
                if not result.get("planned"):
                    text = f"Nothing planned for {result['day']} yet."
                else:
                    text = f"{result['day']}: {result['planned']}."
                    if result.get("first_step"):
                        text += f" First step: {result['first_step']}."
                if result.get("week"):
                    text += " Coming up: " + "; ".join(result["week"]) + "."
                return text
            case "where_is":
                if not result.get("found"):
                    return ""
                text = f"{result['name'].capitalize()}: {result['address'] or 'no address yet'}."
                if result.get("next_visit"):
                    text += f" Next: {result['next_visit']}."
                return text
            case "about_me":
                return self._about(result)
            case "complete_task":
                if result.get("completed"):
                    return f'Done: "{second_person(result["completed"])}". Well done!'
                return result.get("message", "I couldn't find that task.")
            case "remember":
                return "Saved. I'll remember that."
            case "recall":
                memories = [
                    m
                    for m in result.get("memories", [])
                    if m.get("distance", 0) <= RECALL_MAX_DISTANCE
                ]
                if not memories:
                    return 'I don\'t have anything on that yet. Tell me with "remember ...".'
                past = [m for m in memories if "no_longer_true_since" in m]
                best = past[0] if past and call.args.get("include_past") else memories[0]
                if "no_longer_true_since" in best:
                    since = best["no_longer_true_since"]
                    return (
                        f"You told me ({best['date']}, no longer true since {since}): "
                        + (best["content"])
                    )
                return f"From what you told me ({best['date']}): {best['content']}"
            case "set_timezone":
                return (
                    f"Timezone set to {result['timezone']}. Your time now: {result['local_time']}."
                )
            case "set_name":
                return f"Nice to meet you, {result['name']}!"
            case "set_preferences":
                weekly = result.get("preferences", {}).get("weekly_review")
                if call.args.get("weekly_review") is not None:
                    return (
                        "Okay: a short look back on Sunday evenings, no scores."
                        if weekly
                        else "Okay, no more weekly look backs."
                    )
                return "Preferences saved."
            case "week_review":
                return result["text"]
            case _:
                return "Done."

    @staticmethod
    def _list(result: dict) -> str:
        tasks = result.get("tasks", [])
        if not tasks:
            return 'Your list is empty. Nice! Text "todo: ..." to add something.'
        shown = "\n".join(f"{i}. {second_person(t['title'])}" for i, t in enumerate(tasks[:8], 1))
        more = f"\n(+{len(tasks) - 8} more)" if len(tasks) > 8 else ""
        if result.get("bad_day"):
            resting = result.get("resting", 0)
            ending = "Go gently today: any one of these is plenty." + (
                f" ({resting} more can wait.)" if resting else ""
            )
        elif len(tasks) == 1:
            ending = 'Text "done" when it\'s done.'
        else:
            endings = (
                'Want me to pick? Text "what now".',
                'Reply "done 1" or "delete 2" to tidy it up.',
                "Which one feels easiest right now?",
            )
            ending = endings[len(tasks) % len(endings)]
        return f"Your list:\n{shown}{more}\n{ending}"

    @staticmethod
    def _about(result: dict) -> str:
        known = []
        if result.get("name"):
            known.append(f"your name is {result['name']}")
        if result.get("timezone"):
            known.append(f"you're on {result['timezone']} time")
        if result.get("open_tasks"):
            known.append(f"you have {result['open_tasks']} things on your list")
        memories = [second_person(m) for m in result.get("memories", [])]
        if not known and not memories:
            return 'Not much yet! Tell me things with "remember ..." and I\'ll keep them.'
        text = "I know " + ", ".join(known) + "." if known else ""
        if memories:
            more = result.get("more_memories", 0)
            text += " You told me: " + "; ".join(memories) + (f" (+{more} more)" if more else "")
        return (text.strip() + ' Say "forget ..." to remove anything.').strip()

    @staticmethod
    def _with_onboarding(reply: str, facts: TurnFacts) -> str:
        """The name (then timezone) question, once in every few replies: asked again after
        RECENT_REPLIES replies that did not, not at the end of every one."""
        for unknown, question in ((not facts.user_name, ASK_NAME),
                                  (not facts.timezone_known, ASK_TIMEZONE)):  # fmt: skip
            if unknown:
                if any(question in r for r in facts.recent_replies):
                    return reply
                return f"{reply}\n{question}"
        return reply


_PLACE_LEAD = re.compile(r"^(?:i live in|i'?m in|i am in|living in|based in|in|from)\s+", re.I)
_NOT_A_NAME = {"i", "i'm", "im", "me", "we", "we're", "it's", "its", "this", "that", "here"}


def _name_and_place(line: str) -> tuple[str, str] | None:
    """("Sam", "Toronto") from "Sam, Toronto" when asked for a name: the place must be one
    we know and the first part must read as a name."""
    found = _NAME_AND_PLACE.match(line.strip())
    if found is None:
        return None
    name, place = found["name"].strip(), _PLACE_LEAD.sub("", found["place"].strip())
    if name.lower() in _NOT_A_NAME or not looks_like_a_name(name) or not resolve_timezone(place):
        return None
    return name.title(), place
