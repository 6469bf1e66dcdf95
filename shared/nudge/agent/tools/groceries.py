"""add_groceries / list_groceries / got_groceries: the shopping list, grouped by aisle."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import GroceryItem, GroceryStatus
from nudge.store.life_admin import LifeAdmin
from nudge.understanding.groceries import aisle, parse_item


def _same(a: str, b: str) -> bool:
    a, b = a.casefold().rstrip("s"), b.casefold().rstrip("s")
    return a == b


def _shown(item: GroceryItem) -> str:
    if item.quantity is None:
        return item.name
    quantity = f"{item.quantity.normalize():f}"
    return f"{quantity} {item.unit} {item.name}" if item.unit else f"{quantity} {item.name}"


class AddGroceriesArgs(BaseModel):
    items: list[str] = Field(
        min_length=1, max_length=40, description='one entry per item, as said: "2 lbs apples"'
    )
    store: str | None = Field(None, max_length=60, description="where to buy them, if said")


@tool("add_groceries", AddGroceriesArgs)
def add_groceries(ctx: ToolContext, args: AddGroceriesArgs) -> dict:
    """Put things on the grocery list (several at once). Use this, not add_task, for food and
    household shopping."""
    repo = LifeAdmin(ctx.store.db).groceries
    needed = repo.needed(ctx.user.id)
    added, already = [], []
    for text in args.items:
        quantity, unit, name = parse_item(text)
        if not name:
            continue
        existing = next((i for i in needed if _same(i.name, name)), None)
        if existing is not None:  # a redelivered turn or a repeat adds nothing twice
            already.append(existing.name)
            continue
        item = repo.add(
            ctx.user.id,
            GroceryItem(
                name=name, quantity=quantity, unit=unit, category=aisle(name), store=args.store
            ),
        )
        needed.append(item)
        added.append(_shown(item))
    return {"ok": True, "added": added, "already_on_list": already}


class ListGroceriesArgs(BaseModel):
    store: str | None = Field(None, description="only what is for this store")


@tool("list_groceries", ListGroceriesArgs, reads_only=True)
def list_groceries(ctx: ToolContext, args: ListGroceriesArgs) -> dict:
    """What they need from the store, grouped by aisle (short enough for one SMS)."""
    items = LifeAdmin(ctx.store.db).groceries.needed(ctx.user.id)
    if args.store:
        items = [i for i in items if (i.store or "").casefold() in ("", args.store.casefold())]
    groups: dict[str, list[str]] = {}
    for item in sorted(items, key=lambda i: (i.category, i.name)):
        groups.setdefault(item.category, []).append(_shown(item))
    return {"groups": groups, "count": len(items)}


class GotGroceriesArgs(BaseModel):
    items: list[str] = Field(default_factory=list, description="what they got; empty = all")


@tool("got_groceries", GotGroceriesArgs)
def got_groceries(ctx: ToolContext, args: GotGroceriesArgs) -> dict:
    """Tick things off the grocery list ("got the milk"); no items means they got everything."""
    repo = LifeAdmin(ctx.store.db).groceries
    needed = repo.needed(ctx.user.id)
    got, missing = [], []
    targets = needed if not args.items else []
    for text in args.items:
        _, _, name = parse_item(text)
        match = [i for i in needed if _same(i.name, name) or name.casefold() in i.name.casefold()]
        if match:
            targets += match
        else:
            missing.append(name)
    for item in targets:
        repo.patch(ctx.user.id, item.id or "", status=GroceryStatus.got, got_at=ctx.now)
        got.append(item.name)
    left = len(needed) - len({i.id for i in targets})
    return {"ok": bool(got), "got": got, "not_on_list": missing, "left": left}
