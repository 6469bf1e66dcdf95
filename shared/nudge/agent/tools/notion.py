"""link_notion / choose_notion_database / unlink_notion: notes in the person's Notion."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.agent.tools.reminders import reminder_deps
from nudge.models.notion import DataSourceChoice, NotionLinkStatus


def _link_deps(ctx: ToolContext):
    from nudge.integrations.notion.linking import NotionLinkDeps

    deps = reminder_deps(ctx)
    return NotionLinkDeps(
        store=ctx.store, queue=deps.queue, sender=deps.sender, settings=ctx.settings,
    )  # fmt: skip


class LinkNotionArgs(BaseModel):
    pass


@tool("link_notion", LinkNotionArgs)
def link_notion(ctx: ToolContext, args: LinkNotionArgs) -> dict:
    """Connect their Notion (texts a sign-in link); then they pick a database."""
    from nudge.integrations.notion.linking import link_for_text

    return link_for_text(_link_deps(ctx), ctx.user, ctx.now)


class ChooseNotionDatabaseArgs(BaseModel):
    name: str | None = Field(None, max_length=120, description="database name, as said")
    choice: int | None = Field(None, ge=1, le=10, description="number picked from those offered")


@tool("choose_notion_database", ChooseNotionDatabaseArgs)
def choose_notion_database(ctx: ToolContext, args: ChooseNotionDatabaseArgs) -> dict:
    """Set the Notion database notes go to ("save notes to my Inbox database"), or pick one
    from the numbered databases you texted (its number or its name). A new name is looked up
    in the background: returns at once, the outcome arrives by SMS. Tell them you're on it."""
    from nudge.integrations.models import AITaskType
    from nudge.integrations.notion.access import NotionAccessFor
    from nudge.integrations.notion.choose import NOT_LINKED, label, on_it
    from nudge.integrations.notion.datasources import match_choice, said_name
    from nudge.integrations.submit import submit_ai_task

    user_id = ctx.user.id or ""
    link = ctx.store.notion_links.of(user_id)
    if link is None or link.status == NotionLinkStatus.needs_relink:
        return {"ok": False, "message": NOT_LINKED}
    if args.choice is not None:
        if not 1 <= args.choice <= len(link.choices):
            return {"ok": False, "message": "I don't have a list of databases out. Which "
                    'database? Text e.g. "save notes to my Inbox database".'}  # fmt: skip
        return _use(ctx, link.choices[args.choice - 1])
    name = said_name(args.name or "")
    if not name:
        return {"ok": False, "message": 'Which database? Text e.g. "save notes to my Inbox '
                'database".'}  # fmt: skip
    # One of those just offered, by name: picked from the kept list, no new search.
    if (offered := match_choice(link.choices, name)) is not None:
        return _use(ctx, offered)
    if NotionAccessFor(ctx.store, ctx.settings, ctx.user, link).token() is None:
        return {"ok": False, "message": NOT_LINKED}
    # Notion's search can be slow or rate limited: never inside the turn.
    task, _ = submit_ai_task(
        ctx.store, reminder_deps(ctx).queue, ctx.settings, user_id=user_id,
        turn_id=ctx.turn_id, type_=AITaskType.notion_database, parameters={"name": name},
        label=label(name),
    )  # fmt: skip
    return {"ok": True, "queued": task.id, "message": on_it(name)}


def _use(ctx: ToolContext, choice: DataSourceChoice) -> dict:
    from nudge.integrations.notion.choose import use_data_source

    notes = use_data_source(
        ctx.store, reminder_deps(ctx).queue, ctx.settings, ctx.user.id or "", choice
    )
    return {"ok": True, "database": choice.name, "notes": notes}


class UnlinkNotionArgs(BaseModel):
    pass


@tool("unlink_notion", UnlinkNotionArgs)
def unlink_notion(ctx: ToolContext, args: UnlinkNotionArgs) -> dict:
    """Disconnect their Notion (notes stay)."""
    from nudge.integrations.notion.linking import disconnect

    if not disconnect(ctx.store, ctx.user.id or ""):
        return {"ok": False, "message": "Notion isn't linked."}
    return {"ok": True}
