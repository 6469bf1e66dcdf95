"""Life admin a user keeps: groceries, expenses and budgets, places (the seed's GROCERY_ITEMS,
EXPENSES, EXPENSE_CATEGORIES, LOCATIONS). Money is Decimal, stored as its exact string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer

from nudge.models.base import Document


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        raise ValueError("money is never a float: pass a string or Decimal")
    return Decimal(str(value))


# Firestore has no decimal type: the string keeps every digit ("12.50"), a float would not.
Money = Annotated[
    Decimal, BeforeValidator(_decimal), PlainSerializer(lambda d: str(d), return_type=str)
]
Quantity = Annotated[
    Decimal | None,
    BeforeValidator(lambda v: None if v is None else _decimal(v)),
    PlainSerializer(lambda d: None if d is None else str(d), return_type=str | None),
]


class GroceryStatus(StrEnum):
    needed = "needed"
    got = "got"


class GroceryItem(Document):
    name: str = Field(min_length=1, max_length=120)
    quantity: Quantity = None
    unit: str | None = None
    # The aisle it is grouped under in the list ("produce", "dairy", ...).
    category: str = "other"
    store: str | None = None
    status: GroceryStatus = GroceryStatus.needed
    got_at: datetime | None = None


class Expense(Document):
    amount: Money
    currency: str = Field(min_length=3, max_length=3)
    category: str
    note: str | None = None
    spent_on: date
    source_message_ids: list[str] = Field(default_factory=list)


class ExpenseCategory(Document):
    """A category with its monthly budget; the document id is the category name."""

    name: str
    monthly_budget: Money | None = None
    currency: str = "USD"
    # The month ("2026-11") whose 80% heads-up was sent: one a month, never more.
    warned_month: str | None = None


class Place(Document):
    """LOCATIONS: a place the user goes, by the name they call it ("the pharmacy")."""

    name: str = Field(min_length=1, max_length=80)
    address: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=500)


class Ingredient(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    quantity: Quantity = None
    unit: str | None = None


class Recipe(Document):
    """RECIPES: a recipe saved from text; the document id is its name, lower-cased."""

    name: str = Field(min_length=1, max_length=120)
    ingredients: list[Ingredient] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)


class PlannedMeal(Document):
    """One meal of the week's plan; the document id is "<date>-<meal>", so a day holds one."""

    day: date
    meal: str = "dinner"
    recipe_id: str
    recipe_name: str
    # Set once its ingredients are on the grocery list: a redelivered turn adds them once.
    groceries_added: bool = False
