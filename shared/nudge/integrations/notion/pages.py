"""Notes as Notion pages in one data source: create, append, search, link, and what changed.

Notion's rate limit (429 `rate_limited`, with Retry-After) and outages become RetryLater: the
queue retries the sync, notion-client's own sleeping retries are turned off.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from nudge.web import RetryLater

NOTION_VERSION = "2025-09-03"
MAX_BLOCK_CHARS = 2000  # Notion's limit on one rich text's content


class NotionPage(BaseModel):
    page_id: str
    title: str
    url: str = ""
    last_edited_time: datetime | None = None


def notion_client(token: str, http_client: Any = None):
    from notion_client import Client

    # retry=False: a rate limit goes back to the queue instead of sleeping in the function.
    options = {"auth": token, "notion_version": NOTION_VERSION, "retry": False}
    return Client(options, client=http_client)


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
            return "".join(part.get("plain_text", "") for part in prop.get("title", []))
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
        from notion_client.errors import APIResponseError, HTTPResponseError, RequestTimeoutError

        try:
            return fn(**kwargs)
        except APIResponseError as exc:
            if exc.status == 429 or exc.status >= 500:
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

    def create(self, title: str, body: str) -> NotionPage:
        page = self._call(
            self.client.pages.create,
            parent={"type": "data_source_id", "data_source_id": self.data_source_id},
            properties={self.title_property: {"title": [{"text": {"content": title[:2000]}}]}},
            children=_paragraphs(body),
        )
        return _page(page)

    def append(self, page_id: str, text: str) -> None:
        self._call(self.client.blocks.children.append, block_id=page_id, children=_paragraphs(text))

    def text(self, page_id: str) -> str:
        """The page's paragraph-like blocks as plain text (page mentions left out)."""
        lines: list[str] = []
        cursor = None
        while True:
            kwargs: dict[str, Any] = {"block_id": page_id, "page_size": 100}
            if cursor:
                kwargs["start_cursor"] = cursor
            found = self._call(self.client.blocks.children.list, **kwargs)
            for block in found.get("results", []):
                content = block.get(block.get("type", ""), {})
                parts = content.get("rich_text", []) if isinstance(content, dict) else []
                if any(part.get("type") == "mention" for part in parts):
                    continue  # our own "Linked:" blocks
                text = "".join(part.get("plain_text", "") for part in parts)
                if text:
                    lines.append(text)
            cursor = found.get("next_cursor")
            if not found.get("has_more") or not cursor:
                return "\n".join(lines)

    def search(self, query: str, limit: int = 5) -> list[NotionPage]:
        found = self._call(
            self.client.data_sources.query,
            data_source_id=self.data_source_id,
            filter={"property": self.title_property, "title": {"contains": query}},
            page_size=limit,
        )
        return [_page(p) for p in found.get("results", [])]

    def link(self, page_id: str, other_page_id: str) -> None:
        """A page mention of each page on the other: the link shows on both."""
        for here, there in ((page_id, other_page_id), (other_page_id, page_id)):
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
