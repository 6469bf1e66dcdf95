"""A small Notion API (2025-09-03) behind httpx.MockTransport, for notion-client's own HTTP
client: pages in one data source, their blocks, data source queries, 429 on demand. Payloads
follow the documented shapes (page objects with `properties.<title>.title[].plain_text`,
paginated lists with `has_more` / `next_cursor`)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import httpx

DATA_SOURCE_ID = "1a2b3c4d-0000-4000-8000-00000000d5d5"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class NotionWorkspace:
    def __init__(self) -> None:
        self.pages: dict[str, dict] = {}
        self.blocks: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.rate_limit_next = 0
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)

    def _now(self) -> str:
        return (START + timedelta(minutes=next(self._clock))).isoformat().replace("+00:00", "Z")

    def add_page(self, title: str, text: str = "", edited: datetime | None = None) -> str:
        page_id = f"00000000-0000-4000-8000-{next(self._ids):012d}"
        self.pages[page_id] = self._page(page_id, title)
        if edited is not None:
            self.pages[page_id]["last_edited_time"] = edited.isoformat().replace("+00:00", "Z")
        self.blocks[page_id] = [self._paragraph(text)] if text else []
        return page_id

    def edit(self, page_id: str, *, title: str, text: str, at: datetime) -> None:
        self.pages[page_id] = self._page(page_id, title)
        self.pages[page_id]["last_edited_time"] = at.isoformat().replace("+00:00", "Z")
        self.blocks[page_id] = [self._paragraph(text)]

    def _page(self, page_id: str, title: str) -> dict:
        now = self._now()
        return {
            "object": "page",
            "id": page_id,
            "created_time": now,
            "last_edited_time": now,
            "parent": {"type": "data_source_id", "data_source_id": DATA_SOURCE_ID},
            "archived": False,
            "in_trash": False,
            "url": f"https://www.notion.so/{page_id.replace('-', '')}",
            "properties": {
                "Name": {
                    "id": "title",
                    "type": "title",
                    "title": [
                        {
                            "type": "text",
                            "text": {"content": title, "link": None},
                            "plain_text": title,
                            "href": None,
                        }
                    ],
                }
            },
        }

    @staticmethod
    def _paragraph(text: str) -> dict:
        return {
            "object": "block",
            "type": "paragraph",
            "paragraph": {
                "rich_text": [{"type": "text", "text": {"content": text}, "plain_text": text}]
            },
        }

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        path = request.url.path.removeprefix("/v1")
        self.requests.append((request.method, path, body))
        assert request.headers["Notion-Version"] == "2025-09-03"
        assert request.headers["Authorization"] == "Bearer secret_test_token"
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            return httpx.Response(
                429,
                headers={"Retry-After": "7"},
                json={"object": "error", "status": 429, "code": "rate_limited",
                      "message": "You have been rate limited."},
            )  # fmt: skip
        if request.method == "POST" and path == "/pages":
            assert body["parent"] == {"type": "data_source_id", "data_source_id": DATA_SOURCE_ID}
            title = "".join(t["text"]["content"] for t in body["properties"]["Name"]["title"])
            page_id = self.add_page(title)
            self.blocks[page_id] = [self._echo(b) for b in body.get("children", [])]
            return httpx.Response(200, json=self.pages[page_id])
        if request.method == "POST" and path == f"/data_sources/{DATA_SOURCE_ID}/query":
            return httpx.Response(200, json=self._query(body))
        if path.startswith("/blocks/") and path.endswith("/children"):
            page_id = path.split("/")[2]
            if request.method == "PATCH":
                self.blocks[page_id] += [self._echo(b) for b in body["children"]]
                return httpx.Response(200, json=_listing([]))
            return httpx.Response(200, json=_listing(self.blocks[page_id]))
        return httpx.Response(
            404, json={"object": "error", "status": 404, "code": "object_not_found", "message": "?"}
        )

    @staticmethod
    def _echo(block: dict) -> dict:
        kind = block["type"]
        parts = []
        for part in block[kind]["rich_text"]:
            plain = part["text"]["content"] if part["type"] == "text" else ""
            parts.append({**part, "plain_text": plain})
        return {"object": "block", "type": kind, kind: {"rich_text": parts}}

    def _query(self, body: dict) -> dict:
        pages = list(self.pages.values())
        found = body.get("filter") or {}
        if "title" in found:
            needle = found["title"]["contains"].casefold()
            pages = [p for p in pages if needle in _title(p).casefold()]
        if found.get("timestamp") == "last_edited_time":
            since = datetime.fromisoformat(found["last_edited_time"]["on_or_after"])
            pages = [p for p in pages if _edited(p) >= since]
        pages.sort(key=_edited)
        return {"object": "list", "results": pages[: body.get("page_size", 100)],
                "has_more": False, "next_cursor": None, "type": "page_or_data_source"}  # fmt: skip

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))


def _title(page: dict) -> str:
    return "".join(t["plain_text"] for t in page["properties"]["Name"]["title"])


def _edited(page: dict) -> datetime:
    return datetime.fromisoformat(page["last_edited_time"].replace("Z", "+00:00"))


def _listing(results: list[dict]) -> dict:
    return {"object": "list", "results": results, "has_more": False, "next_cursor": None}
