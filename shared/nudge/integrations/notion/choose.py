"""Choosing the data source notes go to, as an AI task: "save notes to my Inbox database" is
answered "on it" in the turn, and the search of the person's Notion runs on the `integrations`
queue (function `notion_sync`), which texts the outcome: one match is set (and the first sync
asked for), several are offered numbered and kept on the link (the answer picks from them with
no new search), none says so with what is shared with Nudge. A refused token is refreshed once,
else the link is marked for relinking and that is the one SMS."""

from __future__ import annotations

from nudge.integrations.models import AITask, AITaskResult
from nudge.integrations.notion.datasources import pick_data_source, shared_data_sources
from nudge.integrations.worker import CannotDo, WorkerDeps
from nudge.models import User
from nudge.models.notion import DataSourceChoice, NotionLinkStatus
from nudge.queue.client import TaskQueue
from nudge.settings import Settings
from nudge.store import Store

NOT_LINKED = 'Notion isn\'t linked yet. Text "link notion" first, then tell me the database.'
RELINK = 'Notion stopped letting me in. Text "link notion" to connect it again.'
NAME_CHARS = 60  # data source names as texted


def label(name: str) -> str:
    """What "what are you working on?" (and a failure) call the task."""
    return f'the search for "{name}" in your Notion'


def on_it(name: str) -> str:
    return f'On it, I\'ll look for "{name}" in your Notion and text you.'


def chosen_text(name: str, notes: int) -> str:
    copying = f" I'm copying your {_notes(notes)} there now." if notes else ""
    return f'Done: notes go to "{_short(name)}" in Notion.{copying}'


def offer_text(names: list[str]) -> str:
    listed = "\n".join(f"{i}. {_short(n)}" for i, n in enumerate(names, 1))
    return f'A few databases match:\n{listed}\nWhich one? Text "notion 1" (or 2, ...).'


def none_text(name: str, shared: list[str]) -> str:
    how = "open it in Notion, tap ... > Connections and add Nudge, then tell me again."
    if not shared:
        return (
            f'I couldn\'t find a database called "{name}": nothing in your Notion is shared '
            f"with Nudge yet. To share one, {how}"
        )
    listed = ", ".join(f'"{_short(n)}"' for n in shared)
    return (
        f'I couldn\'t find a database called "{name}" in your Notion. Shared with Nudge: '
        f"{listed}. If it's another one, {how}"
    )


def _notes(count: int) -> str:
    return "note" if count == 1 else f"{count} notes"


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 3].rstrip() + "..."


def use_data_source(
    store: Store, queue: TaskQueue, settings: Settings, user_id: str, choice: DataSourceChoice
) -> int:
    """Make `choice` where notes go and ask for the first sync; how many notes it will copy.
    Setting the same choice again changes nothing, and the sync is named by the choice."""
    from nudge.integrations.notion.schedule import enqueue_sync

    store.notion_links.set_fields(
        user_id, data_source_id=choice.data_source_id, data_source_name=choice.name,
        database_id=choice.database_id, title_property=choice.title_property, choices=[],
    )  # fmt: skip
    enqueue_sync(queue, settings, user_id, f"chose-{choice.data_source_id}")
    return len(store.notes.list(user_id, limit=500))


def choose_database(
    deps: WorkerDeps, queue: TaskQueue, task: AITask, user: User, http_client=None
) -> AITaskResult:
    """The work of a `notion_database` task; RetryLater (429, outage) goes to the queue."""
    from nudge.integrations.notion.access import NotionAccessFor
    from nudge.integrations.notion.pages import NotionUnauthorized

    user_id = user.id or ""
    name = task.parameters["name"]
    link = deps.store.notion_links.of(user_id)
    if link is None or link.status == NotionLinkStatus.needs_relink:
        raise CannotDo(NOT_LINKED, "not linked")
    access = NotionAccessFor(deps.store, deps.settings, user, link, http_client)
    for attempt in range(2):
        client = access.client()
        if client is None:
            raise CannotDo(NOT_LINKED, "no token")
        try:
            pick = pick_data_source(client, name)
            nothing = pick.chosen is None and not pick.choices
            shared = shared_data_sources(client) if nothing else []
            break
        except NotionUnauthorized:
            if attempt == 0 and access.refresh():
                continue
            access.needs_relink()
            raise CannotDo(RELINK, "notion unauthorized") from None
    if pick.chosen is not None:
        notes = use_data_source(deps.store, queue, deps.settings, user_id, pick.chosen)
        return AITaskResult(
            text=chosen_text(pick.chosen.name, notes),
            data={"outcome": "chosen", "data_source_id": pick.chosen.data_source_id},
        )
    if pick.choices:
        deps.store.notion_links.set_fields(user_id, choices=[c.model_dump() for c in pick.choices])
        return AITaskResult(
            text=offer_text([c.name for c in pick.choices]),
            data={"outcome": "ask", "choices": [c.name for c in pick.choices]},
        )
    return AITaskResult(text=none_text(name, shared), data={"outcome": "none", "shared": shared})
