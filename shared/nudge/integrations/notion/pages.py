"""Notes as Notion pages in one data source: create, append, search, link, and what changed;
and finding the person's data sources by name.

Notion's rate limit (429 `rate_limited`, with Retry-After) and outages become RetryLater: the
queue retries the sync, notion-client's own sleeping retries are turned off. A 401 (the token
was revoked or expired) is NotionUnauthorized: refresh it, or ask the person to link again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nudge.web import RetryLater

NOTION_VERSION = "2025-09-03"
MAX_BLOCK_CHARS = 2000  # Notion's limit on one rich text's content


class NotionUnauthorized(RuntimeError):
    """Notion refused the token (401 `unauthorized`)."""


class DataSource(BaseModel):
    data_source_id: str
    name: str
    database_id: str | None = None
    title_property: str = "Name"


class NotionPage(BaseModel):
    page_id: str
    title: str
    url: str = ""
    last_edited_time: datetime | None = None


def default_http_client() -> Any:
    """The httpx client notion-client speaks through when none is given: None, its own.
    (Tests serving a function in-process put a MockTransport Notion double here.)"""
    return None


def notion_client(token: str | None, http_client: Any = None, timeout_seconds: float = 15.0):
    """notion-client's Client (`token` None: only for the OAuth token exchange)."""
    from notion_client import Client

    http_client = http_client or default_http_client()
    # retry=False: a rate limit goes back to the queue instead of sleeping in the function.
    options: dict[str, Any] = {
        "notion_version": NOTION_VERSION,
        "retry": False,
        "timeout_ms": int(timeout_seconds * 1000),
    }
    if token:
        options["auth"] = token
    return Client(options, client=http_client)


def call_notion(fn, **kwargs):
    """One API call with Notion's failures mapped: 409/429/5xx/timeouts -> RetryLater, 401 ->
    NotionUnauthorized; anything else (400, 404) is raised as notion-client raised it."""
    from notion_client.errors import APIResponseError, HTTPResponseError, RequestTimeoutError

    try:
        return fn(**kwargs)
    except APIResponseError as exc:
        if exc.status == 401:
            raise NotionUnauthorized(str(exc.code)) from None
        # 409 conflict_error: a write collided inside Notion; Notion says retry it.
        if exc.status in (409, 429) or exc.status >= 500:
            retry_after = exc.headers.get("retry-after") if exc.headers else None
            raise RetryLater(
                f"notion {exc.status}", float(retry_after) if retry_after else None
            ) from None
        raise
    except RequestTimeoutError:
        raise RetryLater("notion timed out") from None
    except HTTPResponseError as exc:
        if exc.status >= 500:
            raise RetryLater(f"notion {exc.status}") from None
        raise
    except Exception as exc:  # connection errors from httpx: an outage
        if type(exc).__module__.startswith(("httpx", "httpcore")):
            raise RetryLater(f"notion unreachable: {type(exc).__name__}") from None
        raise


def _plain(parts: list[dict] | None) -> str:
    return "".join(part.get("plain_text", "") for part in parts or [])


def _data_source(found: dict[str, Any]) -> DataSource:
    title_property = next(
        (name for name, prop in (found.get("properties") or {}).items()
         if prop.get("type") == "title"),
        "Name",
    )  # fmt: skip
    parent = found.get("parent") or {}
    return DataSource(
        data_source_id=found["id"],
        name=_plain(found.get("title")) or "Untitled",
        database_id=parent.get("database_id"),
        title_property=title_property,
    )


def find_data_sources(client: Any, name: str, limit: int = 20) -> list[DataSource]:
    """Data sources shared with the integration whose title matches `name` (search; an empty
    name: all of them, as far as `limit`)."""
    query = {"query": name} if name else {}
    found = call_notion(
        client.search,
        filter={"property": "object", "value": "data_source"},
        page_size=limit,
        **query,
    )
    return [_data_source(r) for r in found.get("results", []) if r.get("object") == "data_source"]


def _paragraphs(text: str) -> list[dict]:
    chunks = [text[i : i + MAX_BLOCK_CHARS] for i in range(0, len(text), MAX_BLOCK_CHARS)]
    return [
        {
            "object": "block",
            "type": "paragraph",
            "paragraph": {"rich_text": [{"type": "text", "text": {"content": chunk}}]},
        }
        for chunk in chunks[:50]
    ]


def _title_of(page: dict[str, Any]) -> str:
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return _plain(prop.get("title"))
    return ""


def _page(page: dict[str, Any]) -> NotionPage:
    return NotionPage(
        page_id=page["id"],
        title=_title_of(page),
        url=page.get("url", ""),
        last_edited_time=page.get("last_edited_time"),
    )


class NotionNotes:
    def __init__(self, client: Any, data_source_id: str, title_property: str = "Name") -> None:
        self.client = client
        self.data_source_id = data_source_id
        self.title_property = title_property

    def _call(self, fn, **kwargs):
        return call_notion(fn, **kwargs)

    def create(self, title: str, body: str) -> NotionPage:
        page = self._call(
            self.client.pages.create,
            parent={"type": "data_source_id", "data_source_id": self.data_source_id},
            properties={self.title_property: {"title": [{"text": {"content": title[:2000]}}]}},
            children=_paragraphs(body),
        )
        return _page(page)

    def append(self, page_id: str, text: str) -> bool:
        """`text` as paragraph blocks at the end of the page (PATCH /v1/blocks/{id}/children);
        False if the page is gone (deleted, or archived, in Notion)."""
        from notion_client.errors import APIResponseError

        try:
            self._call(
                self.client.blocks.children.append, block_id=page_id, children=_paragraphs(text)
            )
        except APIResponseError as exc:
            gone = exc.code == "object_not_found" or (
                exc.code == "validation_error" and "archived" in str(exc)
            )
            if not gone:
                raise
            return False
        return True

    def _blocks(self, page_id: str) -> list[dict]:
        blocks: list[dict] = []
        cursor = None
        while True:
            kwargs: dict[str, Any] = {"block_id": page_id, "page_size": 100}
            if cursor:
                kwargs["start_cursor"] = cursor
            found = self._call(self.client.blocks.children.list, **kwargs)
            blocks += found.get("results", [])
            cursor = found.get("next_cursor")
            if not found.get("has_more") or not cursor:
                return blocks

    @staticmethod
    def _rich_text(block: dict) -> list[dict]:
        content = block.get(block.get("type", ""), {})
        return content.get("rich_text", []) if isinstance(content, dict) else []

    def text(self, page_id: str) -> str:
        """The page's paragraph-like blocks as plain text (page mentions left out)."""
        lines: list[str] = []
        for block in self._blocks(page_id):
            parts = self._rich_text(block)
            if any(part.get("type") == "mention" for part in parts):
                continue  # our own "Linked:" blocks
            text = "".join(part.get("plain_text", "") for part in parts)
            if text:
                lines.append(text)
        return "\n".join(lines)

    def _mentions(self, page_id: str) -> set[str]:
        return {
            (part.get("mention", {}).get("page") or {}).get("id", "")
            for block in self._blocks(page_id)
            for part in self._rich_text(block)
            if part.get("type") == "mention"
        }

    def search(self, query: str, limit: int = 5) -> list[NotionPage]:
        found = self._call(
            self.client.data_sources.query,
            data_source_id=self.data_source_id,
            filter={"property": self.title_property, "title": {"contains": query}},
            page_size=limit,
        )
        return [_page(p) for p in found.get("results", [])]

    def link(self, page_id: str, other_page_id: str) -> None:
        """A page mention of each page on the other: the link shows on both (a mention already
        there is not added again, so a sync redone after a crash adds none)."""
        for here, there in ((page_id, other_page_id), (other_page_id, page_id)):
            if there in self._mentions(here):
                continue
            self._call(
                self.client.blocks.children.append,
                block_id=here,
                children=[
                    {
                        "object": "block",
                        "type": "paragraph",
                        "paragraph": {
                            "rich_text": [
                                {"type": "text", "text": {"content": "Linked: "}},
                                {
                                    "type": "mention",
                                    "mention": {"type": "page", "page": {"id": there}},
                                },
                            ]
                        },
                    }
                ],
            )

    def changed_since(self, since: datetime | None) -> list[NotionPage]:
        """Pages edited at or after `since` (all, without it), oldest edit first."""
        query: dict[str, Any] = {
            "data_source_id": self.data_source_id,
            "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}],
            "page_size": 100,
        }
        if since is not None:
            query["filter"] = {
                "timestamp": "last_edited_time",
                "last_edited_time": {"on_or_after": since.isoformat()},
            }
        pages: list[NotionPage] = []
        while True:
            found = self._call(self.client.data_sources.query, **query)
            pages += [_page(p) for p in found.get("results", [])]
            if not found.get("has_more") or not found.get("next_cursor"):
                return pages
            query["start_cursor"] = found["next_cursor"]
