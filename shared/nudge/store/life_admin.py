"""Repositories for life admin: users/{id}/groceries, expenses, expense_categories, places,
recipes, meal_plan."""

from __future__ import annotations

from datetime import date

from google.cloud import firestore

from nudge.models import (
    Expense,
    ExpenseCategory,
    GroceryItem,
    GroceryStatus,
    Place,
    PlannedMeal,
    Recipe,
)
from nudge.store.repository import UserScopedRepository


class GroceryRepository(UserScopedRepository[GroceryItem]):
    collection = "groceries"
    model = GroceryItem

    def needed(self, user_id: str) -> list[GroceryItem]:
        return self.list(user_id, where=[("status", "==", GroceryStatus.needed)])


class ExpenseRepository(UserScopedRepository[Expense]):
    collection = "expenses"
    model = Expense

    def between(self, user_id: str, start: date, end: date) -> list[Expense]:
        """Expenses with start <= spent_on < end (ISO date strings sort as dates)."""
        return self.list(user_id, where=[("spent_on", ">=", start), ("spent_on", "<", end)])


class ExpenseCategoryRepository(UserScopedRepository[ExpenseCategory]):
    collection = "expense_categories"
    model = ExpenseCategory


class PlaceRepository(UserScopedRepository[Place]):
    collection = "places"
    model = Place


class RecipeRepository(UserScopedRepository[Recipe]):
    collection = "recipes"
    model = Recipe


class MealPlanRepository(UserScopedRepository[PlannedMeal]):
    collection = "meal_plan"
    model = PlannedMeal


class LifeAdmin:
    """The life-admin repositories over one Firestore client."""

    def __init__(self, db: firestore.Client) -> None:
        self.groceries = GroceryRepository(db)
        self.expenses = ExpenseRepository(db)
        self.categories = ExpenseCategoryRepository(db)
        self.places = PlaceRepository(db)
        self.recipes = RecipeRepository(db)
        self.meal_plan = MealPlanRepository(db)
