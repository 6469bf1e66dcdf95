"""save_place / where_is: the places a person goes ("the pharmacy is at 12 Main St")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.models import Place
from nudge.reminders.timeparse import describe
from nudge.store.life_admin import LifeAdmin


def _key(name: str) -> str:
    words = [w for w in name.casefold().replace("'s", "").split() if w not in ("the", "my")]
    return "-".join(words).replace("/", "_") or "place"


class SavePlaceArgs(BaseModel):
    name: str = Field(min_length=1, max_length=80, description='what they call it: "pharmacy"')
    address: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=500)


@tool("save_place", SavePlaceArgs)
def save_place(ctx: ToolContext, args: SavePlaceArgs) -> dict:
    """Remember a place and its address; saving the same name again updates it."""
    places = LifeAdmin(ctx.store.db).places
    key = _key(args.name)
    name = " ".join(w for w in args.name.split() if w.casefold() not in ("the", "my"))
    if places.get(ctx.user.id, key) is None:
        places.add(
            ctx.user.id, Place(name=name, address=args.address, notes=args.notes), doc_id=key
        )
    else:
        changes = {k: v for k, v in (("address", args.address), ("notes", args.notes)) if v}
        places.patch(ctx.user.id, key, **changes)
    return {"ok": True, "name": name, "address": args.address}


class WhereIsArgs(BaseModel):
    name: str = Field(min_length=1, max_length=80)


@tool("where_is", WhereIsArgs, reads_only=True)
def where_is(ctx: ToolContext, args: WhereIsArgs) -> dict:
    """Where a saved place is, and the next reminder that mentions it (the next visit)."""
    place = LifeAdmin(ctx.store.db).places.get(ctx.user.id, _key(args.name))
    if place is None:
        return {"found": False, "name": args.name}
    words = set(place.name.casefold().split())
    upcoming = ctx.store.occurrences.upcoming(ctx.user.id, ctx.now, limit=20)
    visit = next((o for o in upcoming if words & set(o.text.casefold().split())), None)
    result = {"found": True, "name": place.name, "address": place.address, "notes": place.notes}
    if visit is not None:
        result["next_visit"] = f"{visit.text} {describe(visit.due_at, ctx.timezone, ctx.now)}"
    return result
