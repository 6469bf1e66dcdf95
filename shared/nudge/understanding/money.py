"""Amounts and spending categories from plain words: "spent 12.50 on lunch"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# What people say they spent on -> the category it counts under; anything else is its own.
CATEGORY_WORDS = {
    "food": "lunch dinner breakfast coffee takeout takeaway snacks snack restaurant food "
    "brunch pizza sushi burger cafe eating meal meals",
    "groceries": "groceries grocery supermarket shopping",
    "transport": "uber lyft taxi cab bus train gas petrol fuel parking metro subway transit",
    "bills": "rent electric electricity water internet phone bill bills insurance",
    "fun": "movies movie cinema games game concert drinks bar books book",
    "health": "pharmacy meds medicine doctor dentist gym therapy",
    "clothes": "clothes shoes shirt jacket",
}
_CATEGORY_OF = {w: c for c, words in CATEGORY_WORDS.items() for w in words.split()}

_AMOUNT = re.compile(
    r"(?:[$£€]\s*)?(?P<amount>\d{1,7}(?:[.,]\d{1,2})?)\s*(?:dollars|bucks|pounds|euros|quid)?",
    re.I,
)


def amount(text: str) -> Decimal | None:
    m = _AMOUNT.search(text)
    if m is None:
        return None
    try:
        return Decimal(m["amount"].replace(",", "."))
    except InvalidOperation:
        return None


def category(what: str) -> str:
    """ "lunch with jo" -> "food"; "the vet" -> "vet"."""
    words = re.sub(r"[^\w\s]", " ", what.lower()).split()
    for word in words:
        if word in _CATEGORY_OF:
            return _CATEGORY_OF[word]
    content = [w for w in words if w not in ("the", "a", "an", "my", "some", "on", "for", "at")]
    return content[0] if content else "other"
