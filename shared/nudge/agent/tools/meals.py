"""save_recipe / plan_meal / whats_for_dinner: recipes, the week's meals, and their groceries."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import GroceryItem, Ingredient, PlannedMeal, Recipe
from nudge.reminders.timeparse import parse_when
from nudge.store.life_admin import LifeAdmin
from nudge.timezones import local_now
from nudge.understanding.groceries import aisle, parse_item
from nudge.understanding.units import merge


def _recipe_id(name: str) -> str:
    return "-".join(name.casefold().replace("/", " ").split()) or "recipe"


class SaveRecipeArgs(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    ingredients: list[str] = Field(min_length=1, max_length=60, description='"2 cups flour"')
    steps: list[str] = Field(default_factory=list, max_length=40)


@tool("save_recipe", SaveRecipeArgs)
def save_recipe(ctx: ToolContext, args: SaveRecipeArgs) -> dict:
    """Save a recipe from text: its ingredients with quantities, and its steps."""
    ingredients = []
    for text in args.ingredients:
        quantity, unit, name = parse_item(text)
        if name:
            ingredients.append(Ingredient(name=name, quantity=quantity, unit=unit))
    recipe = Recipe(name=args.name.strip(), ingredients=ingredients, steps=args.steps)
    recipes = LifeAdmin(ctx.store.db).recipes
    key = _recipe_id(args.name)
    if recipes.get(ctx.user.id, key) is None:
        recipes.add(ctx.user.id, recipe, doc_id=key)
    else:  # saved again: the newer version wins
        recipes.patch(
            ctx.user.id, key, ingredients=[i.model_dump() for i in ingredients], steps=args.steps
        )
    return {"ok": True, "name": recipe.name, "ingredients": len(ingredients)}


class PlanMealArgs(BaseModel):
    recipe: str = Field(min_length=1, max_length=120, description="a saved recipe's name")
    day: str = Field(description='"tuesday", "tomorrow", "today"')
    meal: str = Field("dinner", max_length=20)
    add_groceries: bool = Field(True, description="put its ingredients on the grocery list")


def _find_recipe(admin: LifeAdmin, user_id: str, name: str) -> Recipe | None:
    found = admin.recipes.get(user_id, _recipe_id(name))
    if found is not None:
        return found
    words = set(name.casefold().split())
    candidates = [r for r in admin.recipes.list(user_id) if words & set(r.name.casefold().split())]
    return candidates[0] if len(candidates) == 1 else None


@tool("plan_meal", PlanMealArgs)
def plan_meal(ctx: ToolContext, args: PlanMealArgs) -> dict:
    """Plan a saved recipe for a day of the week; its ingredients join the grocery list with
    quantities merged by unit (2 cups + 100 ml of milk is one line)."""
    admin = LifeAdmin(ctx.store.db)
    recipe = _find_recipe(admin, ctx.user.id, args.recipe)
    if recipe is None:
        return {"question": f'I don\'t have a recipe called "{args.recipe}". Send it to me?'}
    today = local_now(ctx.timezone, ctx.now).date()
    if args.day.strip().lower() in ("today", "tonight"):
        day = today
    else:
        when = parse_when(args.day, timezone=ctx.timezone, now=ctx.now)
        if when.due is None:
            return {"question": 'Which day? For example "tuesday".'}
        day = local_now(ctx.timezone, when.due).date()
    key = f"{day.isoformat()}-{args.meal.casefold()}"
    plan = admin.meal_plan.get(ctx.user.id, key)
    if plan is None or plan.recipe_id != recipe.id:
        if plan is not None:
            admin.meal_plan.delete(ctx.user.id, key)
        planned = PlannedMeal(
            day=day, meal=args.meal.casefold(), recipe_id=recipe.id or "", recipe_name=recipe.name
        )
        plan = admin.meal_plan.add(ctx.user.id, planned, doc_id=key)
    added: list[str] = []
    if args.add_groceries and not plan.groceries_added:
        added = _add_ingredients(ctx, admin, recipe)
        admin.meal_plan.patch(ctx.user.id, key, groceries_added=True)
    return {"ok": True, "recipe": recipe.name, "day": f"{day:%A}", "meal": plan.meal,
            "groceries": added}  # fmt: skip


def _add_ingredients(ctx: ToolContext, admin: LifeAdmin, recipe: Recipe) -> list[str]:
    needed = admin.groceries.needed(ctx.user.id)
    changed = []
    for ingredient in recipe.ingredients:
        same = [
            i
            for i in needed
            if i.name.casefold().rstrip("s") == ingredient.name.casefold().rstrip("s")
        ]
        merged = None
        for item in same:
            merged = merge((item.quantity, item.unit), (ingredient.quantity, ingredient.unit))
            if merged is not None:
                quantity, unit = merged
                admin.groceries.patch(
                    ctx.user.id, item.id or "",
                    quantity=None if quantity is None else str(quantity), unit=unit,
                )  # fmt: skip
                item.quantity, item.unit = quantity, unit
                break
        if merged is None:
            item = admin.groceries.add(
                ctx.user.id,
                GroceryItem(name=ingredient.name, quantity=ingredient.quantity,
                            unit=ingredient.unit, category=aisle(ingredient.name)),
            )  # fmt: skip
            needed.append(item)
        changed.append(ingredient.name)
    return changed


class WhatsForDinnerArgs(BaseModel):
    day: str = Field("today", description='"today", "tomorrow", "friday"')
    meal: str = "dinner"


@tool("whats_for_dinner", WhatsForDinnerArgs, reads_only=True)
def whats_for_dinner(ctx: ToolContext, args: WhatsForDinnerArgs) -> dict:
    """The meal planned for a day, with its first step; the rest of the week's plan."""
    admin = LifeAdmin(ctx.store.db)
    today = local_now(ctx.timezone, ctx.now).date()
    day = today
    if args.day.strip().lower() not in ("today", "tonight"):
        when = parse_when(args.day, timezone=ctx.timezone, now=ctx.now)
        if when.due is not None:
            day = local_now(ctx.timezone, when.due).date()
    plan = admin.meal_plan.get(ctx.user.id, f"{day.isoformat()}-{args.meal.casefold()}")
    week = [
        admin.meal_plan.get(ctx.user.id, f"{(today + timedelta(days=n)).isoformat()}-dinner")
        for n in range(1, 7)
    ]
    result: dict = {
        "day": f"{day:%A}",
        "planned": None,
        "week": [f"{p.day:%a}: {p.recipe_name}" for p in week if p is not None],
    }
    if plan is not None:
        recipe = admin.recipes.get(ctx.user.id, plan.recipe_id)
        result["planned"] = plan.recipe_name
        if recipe is not None and recipe.steps:
            result["first_step"] = recipe.steps[0]
    return result
