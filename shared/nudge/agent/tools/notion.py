"""link_notion / choose_notion_database / unlink_notion: notes in the person's Notion."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nudge.agent.tools.registry import ToolContext, tool
from nudge.agent.tools.reminders import reminder_deps
from nudge.models.notion import DataSourceChoice, NotionLinkStatus

NOT_LINKED = 'Notion isn\'t linked yet. Text "link notion" first, then tell me the database.'


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
    """Set the Notion database notes go to ("save notes to my Inbox database")."""
    from nudge.integrations.notion.access import NotionAccessFor
    from nudge.integrations.notion.datasources import pick_data_source
    from nudge.integrations.notion.pages import NotionUnauthorized
    from nudge.web import RetryLater

    user_id = ctx.user.id or ""
    link = ctx.store.notion_links.of(user_id)
    if link is None or link.status == NotionLinkStatus.needs_relink:
        return {"ok": False, "message": NOT_LINKED}
    if args.choice is not None:
        if not 1 <= args.choice <= len(link.choices):
            return {"ok": False, "message": "I don't have a list of databases out. Which "
                    'database? Text e.g. "save notes to my Inbox database".'}  # fmt: skip
        return _use(ctx, link.choices[args.choice - 1])
    if not (args.name or "").strip():
        return {"ok": False, "message": 'Which database? Text e.g. "save notes to my Inbox '
                'database".'}  # fmt: skip
    client = NotionAccessFor(ctx.store, ctx.settings, ctx.user, link).client()
    if client is None:
        return {"ok": False, "message": NOT_LINKED}
    try:
        pick = pick_data_source(client, args.name or "")
    except RetryLater:
        return {"ok": False, "message": "Notion isn't answering right now. Try me again in a "
                "minute; your notes are safe here meanwhile."}  # fmt: skip
    except NotionUnauthorized:
        return {"ok": False, "message": 'Notion stopped letting me in. Text "link notion" to '
                "connect it again."}  # fmt: skip
    if pick.chosen is not None:
        return _use(ctx, pick.chosen)
    if not pick.choices:
        return {"ok": False, "none_found": True, "name": args.name,
                "message": f'I couldn\'t find a database called "{args.name}" in your Notion. '
                "If it's there, open it in Notion, tap ... > Connections and add Nudge, then "
                "tell me again."}  # fmt: skip
    ctx.store.notion_links.set_fields(user_id, choices=[c.model_dump() for c in pick.choices])
    return {"ok": False, "ask": True, "choices": [c.name for c in pick.choices]}


def _use(ctx: ToolContext, choice: DataSourceChoice) -> dict:
    from nudge.integrations.notion.schedule import enqueue_sync

    user_id = ctx.user.id or ""
    ctx.store.notion_links.set_fields(
        user_id, data_source_id=choice.data_source_id, data_source_name=choice.name,
        database_id=choice.database_id, title_property=choice.title_property, choices=[],
    )  # fmt: skip
    enqueue_sync(reminder_deps(ctx).queue, ctx.settings, user_id, f"chose-{choice.data_source_id}")
    count = len(ctx.store.notes.list(user_id, limit=500))
    return {"ok": True, "database": choice.name, "notes": count}


class UnlinkNotionArgs(BaseModel):
    pass


@tool("unlink_notion", UnlinkNotionArgs)
def unlink_notion(ctx: ToolContext, args: UnlinkNotionArgs) -> dict:
    """Disconnect their Notion (notes stay)."""
    from nudge.integrations.notion.linking import disconnect

    if not disconnect(ctx.store, ctx.user.id or ""):
        return {"ok": False, "message": "Notion isn't linked."}
    return {"ok": True}
