"""Grocery items from plain words: "2 lbs apples" -> (2, "lb", "apples"), with an aisle."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Aisles a list is grouped by. A word not here goes under "other"; this is grouping, not a
# catalogue, so a short list of common words is enough.
AISLES = {
    "produce": "apple apples banana bananas lettuce spinach tomato tomatoes onion onions garlic "
    "potato potatoes carrot carrots avocado avocados lemon lemons lime limes berries "
    "strawberries blueberries grapes cucumber pepper peppers broccoli mushrooms herbs "
    "basil cilantro parsley ginger celery kale fruit veg vegetables salad oranges orange",
    "dairy": "milk cheese butter yogurt yoghurt cream eggs egg sour oat",
    "bakery": "bread bagels bagel rolls buns tortillas croissants muffins loaf",
    "meat and fish": "chicken beef pork bacon sausage sausages mince turkey ham fish salmon "
    "tuna shrimp prawns steak tofu",
    "pantry": "rice pasta flour sugar salt oil olive cereal oats beans lentils sauce soup "
    "stock spices honey jam peanut coffee tea crackers chips snacks nuts vinegar spaghetti "
    "noodles tins canned",
    "frozen": "frozen ice peas pizza",
    "drinks": "juice water soda beer wine sparkling",
    "household": "toilet paper towels detergent soap shampoo toothpaste bin bags foil "
    "sponges batteries bleach dishwasher tablets tissues",
}
_AISLE_OF = {word: aisle for aisle, words in AISLES.items() for word in words.split()}

UNITS = {
    "g": "g", "gram": "g", "grams": "g", "kg": "kg", "kilo": "kg", "kilos": "kg",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "oz": "oz", "ounce": "oz",
    "ounces": "oz", "l": "l", "liter": "l", "litre": "l", "liters": "l", "litres": "l",
    "ml": "ml", "cup": "cup", "cups": "cup", "tbsp": "tbsp", "tablespoon": "tbsp",
    "tablespoons": "tbsp", "tsp": "tsp", "teaspoon": "tsp", "teaspoons": "tsp",
    "pack": "pack", "packs": "pack", "can": "can", "cans": "can", "tin": "can", "tins": "can",
    "bottle": "bottle", "bottles": "bottle", "bag": "bag", "bags": "bag", "box": "box",
    "boxes": "box", "dozen": "dozen", "loaf": "loaf", "loaves": "loaf", "bunch": "bunch",
    "clove": "clove", "cloves": "clove", "carton": "carton", "cartons": "carton",
}  # fmt: skip
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "half": Decimal("0.5"), "couple": 2, "few": 3}  # fmt: skip
_ITEM = re.compile(
    r"^(?:(?P<qty>\d+(?:[.,]\d+)?|\d+/\d+|a|an|one|two|three|four|five|six|half|a couple of|"
    r"a few)\s*)?(?:(?P<unit>[a-z]+)\s+(?:of\s+)?)?(?P<name>.+)$",
    re.I,
)
_FILLER = re.compile(r"^(?:some|more|the|a|an|few|of|fresh)\s+", re.I)


def aisle(name: str) -> str:
    words = name.lower().split()
    for word in reversed(words):  # "oat milk" is milk, "peanut butter" is pantry by its head
        if word in _AISLE_OF:
            return _AISLE_OF[word]
    return "other"


def is_grocery(text: str) -> bool:
    """Whether "2 cans tomatoes" / "oat milk" names a grocery: by its last word, the thing
    itself ("call the water company" is not water)."""
    _, _, name = parse_item(text)
    words = _FILLER.sub("", name.strip().lower()).split()
    return bool(words) and len(words) <= 3 and words[-1] in _AISLE_OF


def _quantity(text: str | None) -> Decimal | None:
    if not text:
        return None
    text = text.lower().replace(",", ".")
    text = re.sub(r"^a (couple|few) of$", r"\1", text)
    if text in _COUNTS:
        return Decimal(_COUNTS[text])
    try:
        if "/" in text:
            top, bottom = text.split("/")
            return Decimal(top) / Decimal(bottom)
        return Decimal(text)
    except (InvalidOperation, ZeroDivisionError):
        return None


def parse_item(text: str) -> tuple[Decimal | None, str | None, str]:
    """(quantity, unit, name): "2 lbs apples" -> (2, "lb", "apples"); "milk" -> (None, None,
    "milk"); "3 eggs" -> (3, None, "eggs")."""
    cleaned = re.sub(r"\s+", " ", text.strip().strip(".!,")).strip()
    m = _ITEM.match(cleaned)
    if m is None:
        return None, None, cleaned
    quantity = _quantity(m["qty"])
    unit = UNITS.get((m["unit"] or "").lower())
    name = m["name"] if unit else f"{m['unit']} {m['name']}" if m["unit"] else m["name"]
    name = _FILLER.sub("", name.strip()).strip()
    if quantity is None and not unit:
        return None, None, _FILLER.sub("", cleaned).strip()
    return quantity, unit, name
