"""Quantities merged by unit with a units library (pint): "2 cups" + "100 ml" of milk.

Pint and its registry load on first use (about 1.5 s), only when a meal plan is turned into
groceries; Decimal arithmetic throughout, so money-like exactness holds for amounts too.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

# Our unit words -> pint's names; counted things ("can", "dozen", none) merge only when equal.
_PINT_NAMES = {
    "g": "gram", "kg": "kilogram", "lb": "pound", "oz": "ounce", "l": "liter",
    "ml": "milliliter", "cup": "cup", "tbsp": "tablespoon", "tsp": "teaspoon",
}  # fmt: skip


@lru_cache(maxsize=1)
def _registry():
    import pint

    return pint.UnitRegistry(non_int_type=Decimal)


def merge(
    first: tuple[Decimal | None, str | None], second: tuple[Decimal | None, str | None]
) -> tuple[Decimal | None, str | None] | None:
    """The sum in the first one's unit, or None when the two cannot be added (grams and cans)."""
    (q1, u1), (q2, u2) = first, second
    if q1 is None and q2 is None:
        return None, u1 if u1 == u2 else None
    if u1 == u2:
        return (q1 or Decimal(1)) + (q2 or Decimal(1)), u1
    if u1 not in _PINT_NAMES or u2 not in _PINT_NAMES or q1 is None or q2 is None:
        return None
    import pint

    units = _registry()
    try:
        total = units.Quantity(q1, _PINT_NAMES[u1]) + units.Quantity(q2, _PINT_NAMES[u2])
    except pint.DimensionalityError:  # a cup of flour and a pound of flour: keep both
        return None
    return Decimal(total.magnitude).quantize(Decimal("0.01")).normalize(), u1
