"""log_expense / spending / set_budget: money in the person's currency, as exact decimals."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from google.api_core.exceptions import Conflict
from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Expense, ExpenseCategory, Money
from nudge.store.life_admin import LifeAdmin
from nudge.timezones import currency_for, local_now
from nudge.understanding.money import category as category_of

# One gentle heads-up a month when a budget passes this share.
BUDGET_HEADS_UP = Decimal("0.8")


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _total(expenses: list[Expense]) -> Decimal:
    return sum((e.amount for e in expenses), Decimal("0"))


class LogExpenseArgs(BaseModel):
    amount: Money = Field(description='the amount as a decimal string, e.g. "12.50"')
    category: str = Field(min_length=1, max_length=40, description="food, groceries, rent...")
    note: str | None = Field(None, max_length=200)


@tool("log_expense", LogExpenseArgs)
def log_expense(ctx: ToolContext, args: LogExpenseArgs) -> dict:
    """Record money spent ("spent 12.50 on lunch"); says how the month's budget stands."""
    if args.amount <= 0:
        return {"error": "the amount must be more than zero"}
    admin = LifeAdmin(ctx.store.db)
    today = local_now(ctx.timezone, ctx.now).date()
    name = category_of(args.category)
    currency = currency_for(ctx.timezone)
    expense = Expense(
        amount=args.amount, currency=currency, category=name, note=args.note, spent_on=today,
        source_message_ids=ctx.source_message_ids,
    )  # fmt: skip
    # One document per (turn, category, amount): a retried turn finds it and adds nothing.
    doc_id = f"{ctx.turn_id}-{name}-{args.amount}".replace("/", "_").replace(".", "_")
    with suppress(Conflict):
        admin.expenses.add(ctx.user.id, expense, doc_id=doc_id)
    start, end = _month(today)
    month = [e for e in admin.expenses.between(ctx.user.id, start, end) if e.category == name]
    spent = _total(month)
    result: dict = {
        "ok": True, "amount": str(args.amount), "currency": currency, "category": name,
        "month_total": str(spent),
    }  # fmt: skip
    budget = admin.categories.get(ctx.user.id, name)
    if budget is not None and budget.monthly_budget:
        result["budget"] = str(budget.monthly_budget)
        key = f"{start:%Y-%m}"
        if spent >= budget.monthly_budget * BUDGET_HEADS_UP and budget.warned_month != key:
            admin.categories.patch(ctx.user.id, name, warned_month=key)
            result["heads_up"] = True
    return result


class SpendingArgs(BaseModel):
    category: str | None = Field(None, description="one category, or all")
    period: Literal["today", "this_week", "this_month", "last_month"] = "this_month"


@tool("spending", SpendingArgs, reads_only=True)
def spending(ctx: ToolContext, args: SpendingArgs) -> dict:
    """How much they spent in a period ("how much on food this month?"), by category."""
    today = local_now(ctx.timezone, ctx.now).date()
    if args.period == "today":
        start, end = today, today + timedelta(days=1)
    elif args.period == "this_week":
        start, end = today - timedelta(days=today.weekday()), today + timedelta(days=1)
    elif args.period == "last_month":
        start, end = _month(today.replace(day=1) - timedelta(days=1))
    else:
        start, end = _month(today)
    expenses = LifeAdmin(ctx.store.db).expenses.between(ctx.user.id, start, end)
    name = category_of(args.category) if args.category else None
    if name:
        expenses = [e for e in expenses if e.category == name]
    by_category: dict[str, Decimal] = {}
    for e in expenses:
        by_category[e.category] = by_category.get(e.category, Decimal("0")) + e.amount
    return {
        "total": str(_total(expenses)),
        "currency": expenses[0].currency if expenses else currency_for(ctx.timezone),
        "category": name,
        "period": args.period,
        "by_category": {k: str(v) for k, v in sorted(by_category.items())},
    }


class SetBudgetArgs(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    monthly_amount: Money


@tool("set_budget", SetBudgetArgs)
def set_budget(ctx: ToolContext, args: SetBudgetArgs) -> dict:
    """Set a monthly budget for a category; one gentle heads-up comes when 80% is spent."""
    name = category_of(args.category)
    categories = LifeAdmin(ctx.store.db).categories
    budget = ExpenseCategory(
        name=name, monthly_budget=args.monthly_amount, currency=currency_for(ctx.timezone)
    )
    if categories.get(ctx.user.id, name) is None:
        try:
            categories.add(ctx.user.id, budget, doc_id=name)
        except Conflict:  # created meanwhile
            categories.patch(ctx.user.id, name, monthly_budget=str(args.monthly_amount))
    else:
        categories.patch(ctx.user.id, name, monthly_budget=str(args.monthly_amount))
    return {"ok": True, "category": name, "monthly_budget": str(args.monthly_amount)}
