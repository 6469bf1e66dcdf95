"""Groceries, money and places: the tools against the Firestore emulator, and the offline
model's plain commands through real turns (isolation per user, redelivery writes once)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.conversation.turn import TurnStatus, run_agent_turn
from nudge.llm.types import FunctionCall
from nudge.models import User
from nudge.store.life_admin import LifeAdmin
from tests.integration.test_offline_turns import NOW, Chat


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))


@pytest.fixture
def other(store):
    return store.users.create(User(phone="+15555550199", name="Kim", timezone="Europe/London"))


@pytest.fixture
def chat(store, settings, user, embedder):
    return Chat(store, settings, user, embedder)


def call(ctx, tool_name, **args):
    return registry.execute(FunctionCall(name=tool_name, args=args), ctx).response


def ctx_for(store, settings, user, turn="t1"):
    return ToolContext(store=store, user=user, settings=settings, now=NOW, turn_id=turn)


def test_buy_milk_eggs_and_bread_then_what_do_i_need_from_the_store(chat):
    added = chat.say("buy milk, eggs and bread")
    assert "grocery list" in added
    listed = chat.say("what do I need from the store?")
    assert "Dairy: eggs, milk" in listed and "Bakery: bread" in listed
    assert "2 left" in chat.say("got the milk")
    assert "milk" not in chat.say("what's on my grocery list")


def test_spent_40_then_how_much_this_month_answers_40_once_even_when_redelivered(store, chat, user):
    sid, outcome = chat.send("spent 40 on groceries")
    assert outcome.reply.startswith("Logged $40 on groceries")
    again = run_agent_turn(chat.deps, user_id=user.id, message_id=sid, now=chat.now)
    assert again.status == TurnStatus.already_done
    assert "You've spent $40 this month" in chat.say("how much have I spent this month?")
    [expense] = LifeAdmin(store.db).expenses.list(user.id)
    assert expense.amount == Decimal("40") and expense.currency == "CAD"


def test_a_retried_turn_logs_an_expense_once(store, settings, user):
    ctx = ctx_for(store, settings, user, turn="SM1")
    call(ctx, "log_expense", amount="12.50", category="lunch")
    again = call(ctx_for(store, settings, user, turn="SM1"), "log_expense", amount="12.50",
                 category="lunch")  # fmt: skip
    assert again["month_total"] == "12.50"
    assert len(LifeAdmin(store.db).expenses.list(user.id)) == 1


def test_amounts_are_exact_decimals_never_floats(store, settings, user):
    ctx = ctx_for(store, settings, user)
    for i, amount in enumerate(("0.10", "0.20", "0.70")):
        call(ctx_for(store, settings, user, turn=f"t{i}"), "log_expense", amount=amount,
             category="coffee")  # fmt: skip
    assert call(ctx, "spending", category="food")["total"] == "1.00"
    assert "error" in call(ctx, "log_expense", amount=1.5, category="food")


def test_one_gentle_heads_up_when_a_budget_passes_80_percent(store, settings, user):
    call(ctx_for(store, settings, user), "set_budget", category="food", monthly_amount="100")
    first = call(ctx_for(store, settings, user, "a"), "log_expense", amount="70", category="food")
    assert "heads_up" not in first
    second = call(ctx_for(store, settings, user, "b"), "log_expense", amount="15", category="food")
    assert second["heads_up"] is True and second["month_total"] == "85"
    third = call(ctx_for(store, settings, user, "c"), "log_expense", amount="5", category="food")
    assert "heads_up" not in third  # once a month, not on every expense after


def test_each_person_sees_only_their_own_groceries_money_and_places(store, settings, user, other):
    mine, theirs = ctx_for(store, settings, user), ctx_for(store, settings, other)
    call(mine, "add_groceries", items=["2 lbs apples", "milk"])
    call(mine, "log_expense", amount="9.99", category="lunch")
    call(mine, "save_place", name="the pharmacy", address="12 Main St")
    assert call(theirs, "list_groceries")["count"] == 0
    assert call(theirs, "spending")["total"] == "0"
    assert call(theirs, "where_is", name="pharmacy")["found"] is False
    assert call(mine, "list_groceries")["groups"] == {"dairy": ["milk"], "produce": ["2 lb apples"]}


def test_adding_the_same_groceries_again_adds_nothing_twice(store, settings, user):
    ctx = ctx_for(store, settings, user)
    call(ctx, "add_groceries", items=["milk", "eggs"])
    again = call(ctx, "add_groceries", items=["milk", "eggs"])
    assert again["added"] == [] and again["already_on_list"] == ["milk", "eggs"]
    assert call(ctx, "list_groceries")["count"] == 2


def test_places_are_saved_and_found_with_the_next_visit(store, settings, chat, user, task_queue):
    chat.say("the pharmacy is at 12 Main St")
    assert "12 Main St" in chat.say("where's my pharmacy?")
    assert "dentist" not in chat.say("where's my dentist?").lower().split(":")[0]


def test_a_budget_in_plain_words(store, chat, user):
    chat.say("set a budget for food of 200")
    [budget] = LifeAdmin(store.db).categories.list(user.id)
    assert budget.monthly_budget == Decimal("200") and budget.name == "food"
    assert "$12.50 on food" in chat.say("spent 12.50 on lunch")
    assert "You've spent $12.50 on food this month" in chat.say("how much on food this month?")


def test_a_recipe_planned_for_tuesday_adds_its_ingredients_merged_by_unit(store, chat, user):
    chat.say("add 200 ml milk to my grocery list")
    saved = chat.say(
        "recipe pancakes: 2 cups flour, 2 eggs, 1 cup milk. steps: mix everything; fry in a pan"
    )
    assert saved == "Saved the recipe for pancakes (3 ingredients)."
    sid, outcome = chat.send("plan pancakes for tuesday")
    assert outcome.reply.startswith("pancakes is planned for Tuesday dinner.")
    again = run_agent_turn(chat.deps, user_id=user.id, message_id=sid, now=chat.now)
    assert again.status == TurnStatus.already_done
    chat.say("plan pancakes for tuesday")  # said twice: its groceries are still added once
    items = {i.name: (i.quantity, i.unit) for i in LifeAdmin(store.db).groceries.needed(user.id)}
    assert items == {
        "milk": (Decimal("436.59"), "ml"),  # 200 ml + 1 cup (236.59 ml), one line
        "flour": (Decimal("2"), "cup"),
        "eggs": (Decimal("2"), None),
    }
    listed = chat.say("what do I need from the store?")
    assert "436.59 ml milk" in listed and "2 cup flour" in listed
    # NOW is a Monday: Tuesday's dinner is tomorrow's.
    assert chat.say("what's for dinner tomorrow?").startswith(
        "Tuesday: pancakes. First step: mix everything."
    )


def test_recipes_and_meal_plans_are_per_person(store, settings, user, other):
    mine, theirs = ctx_for(store, settings, user), ctx_for(store, settings, other)
    call(mine, "save_recipe", name="chili", ingredients=["1 can beans", "500 g beef"])
    assert "question" in call(theirs, "plan_meal", recipe="chili", day="tuesday")
    assert call(mine, "plan_meal", recipe="chili", day="tuesday")["ok"] is True
    assert call(theirs, "whats_for_dinner", day="tuesday")["planned"] is None


def test_the_weekly_look_back_is_opt_in_and_plain_offline(store, chat, user):
    from nudge.models import Task, TaskStatus

    week_ago = NOW - timedelta(days=9)
    store.tasks.add(user.id, Task(title="sort the garage", created_at=week_ago))
    store.tasks.add(
        user.id,
        Task(title="call the bank", status=TaskStatus.done, completed_at=NOW - timedelta(days=2)),
    )
    assert store.users.get_settings(user.id).weekly_review is False
    assert "Sunday evenings" in chat.say("turn on the weekly look back")
    assert store.users.get_settings(user.id).weekly_review is True
    review = chat.say("how did my week go?")
    assert review.startswith("This week you got done: call the bank.")
    assert 'Still waiting: sort the garage. Want to shrink "sort the garage"' in review
    assert "streak" not in review.lower()
