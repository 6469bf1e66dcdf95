"""A small Notion API (2025-09-03) behind httpx.MockTransport, for notion-client's own HTTP
client: pages in one data source, their blocks, data source queries, search for data sources,
the OAuth token endpoint (HTTP Basic client id:secret), 429, 503 and 401 on demand, and a block
append whose answer is lost (a 502 after it was applied). Appending blocks marks the page
edited, as Notion does; `clock` (when set) is Notion's time. Payloads follow
the documented shapes (page objects with `properties.<title>.title[].plain_text`, data source
objects with `title` and `parent.database_id`, paginated lists with `has_more` /
`next_cursor`, the token response with access_token, bot_id, workspace_*, owner)."""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx

DATA_SOURCE_ID = "1a2b3c4d-0000-4000-8000-00000000d5d5"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CLIENT_ID = "2b5d872b-594c-80a8-b7e0-0037e1a0c1d2"
CLIENT_SECRET = "secret_oauth_client_test"
WORKSPACE_ID = "9c1e2f30-0000-4000-8000-00000000aaaa"


class NotionWorkspace:
    def __init__(self) -> None:
        self.pages: dict[str, dict] = {}
        self.blocks: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.rate_limit_next = 0
        self.unavailable_next = 0  # answers 503 service_unavailable (an outage)
        self.lose_next_append_answer = False
        self.clock = None  # a callable giving Notion's time; None: minutes from START
        self.tokens = {"secret_test_token"}  # bearer tokens Notion accepts
        self.codes: dict[str, str] = {}  # authorization code -> redirect_uri it was issued for
        self.refresh_tokens: set[str] = set()
        # Data sources shared with the integration (search finds them by title).
        self.data_sources: list[dict] = [data_source(DATA_SOURCE_ID, "Notes")]
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)
        self._issued = itertools.count(1)

    def _now(self) -> str:
        now = self.clock() if self.clock else START + timedelta(minutes=next(self._clock))
        return now.isoformat().replace("+00:00", "Z")

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

    def issue_code(self, redirect_uri: str) -> str:
        """What Notion's authorize page puts on the redirect after the person allows access."""
        code = f"code-{next(self._issued)}"
        self.codes[code] = redirect_uri
        return code

    def revoke_all(self) -> None:
        self.tokens.clear()

    def _token(self, body: dict, authorization: str) -> httpx.Response:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return _error(401, "unauthorized", "API token is invalid.")
        if body.get("grant_type") == "authorization_code":
            if self.codes.pop(body.get("code", ""), None) != body.get("redirect_uri"):
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "bad code"}
                )
        elif body.get("grant_type") == "refresh_token":
            if body.get("refresh_token") not in self.refresh_tokens:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "bad refresh"}
                )
            self.refresh_tokens.discard(body["refresh_token"])
        else:
            return _error(400, "validation_error", "grant_type")
        n = next(self._issued)
        access, refresh = f"ntn_access_{n}", f"ntn_refresh_{n}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "token_type": "bearer",
                "refresh_token": refresh,
                "bot_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                "workspace_name": "Sam's Notion",
                "workspace_icon": None,
                "workspace_id": WORKSPACE_ID,
                "owner": {"type": "user", "user": {"object": "user", "id": "u-1", "type": "person",
                                                   "name": "Sam", "person": {"email": "s@x.io"}}},
                "duplicated_template_id": None,
                "request_id": "5b2c5bde-0000-4000-8000-000000000001",
            },
        )  # fmt: skip

    def _search(self, body: dict) -> dict:
        assert body.get("filter") == {"property": "object", "value": "data_source"}
        needle = (body.get("query") or "").casefold()
        found = [d for d in self.data_sources if needle in _plain(d["title"]).casefold()]
        return {"object": "list", "results": found[: body.get("page_size", 100)],
                "has_more": False, "next_cursor": None, "type": "page_or_data_source",
                "page_or_data_source": {}}  # fmt: skip

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        path = request.url.path.removeprefix("/v1")
        self.requests.append((request.method, path, body))
        assert request.headers["Notion-Version"] == "2025-09-03"
        if path == "/oauth/token" and request.method == "POST":
            return self._token(body, request.headers.get("Authorization", ""))
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _error(401, "unauthorized", "API token is invalid.")
        if self.unavailable_next:
            self.unavailable_next -= 1
            return _error(503, "service_unavailable", "Notion is unavailable, try again later.")
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
        if request.method == "POST" and path == "/search":
            return httpx.Response(200, json=self._search(body))
        if request.method == "POST" and path == f"/data_sources/{DATA_SOURCE_ID}/query":
            return httpx.Response(200, json=self._query(body))
        if path.startswith("/blocks/") and path.endswith("/children"):
            page_id = path.split("/")[2]
            if page_id not in self.blocks:
                return _error(404, "object_not_found", f"Could not find block with ID: {page_id}.")
            if request.method == "PATCH":
                added = [self._echo(b) for b in body["children"]]
                self.blocks[page_id] += added
                edited = self._now()
                if _edited(self.pages[page_id]) < datetime.fromisoformat(edited):
                    self.pages[page_id]["last_edited_time"] = edited
                if self.lose_next_append_answer:
                    self.lose_next_append_answer = False
                    return httpx.Response(502, text="Bad Gateway")
                return httpx.Response(200, json=_listing(added))
            return httpx.Response(200, json=_listing(self.blocks[page_id]))
        return _error(404, "object_not_found", "Could not find that object.")

    @staticmethod
    def _echo(block: dict) -> dict:
        kind = block["type"]
        parts = []
        for part in block[kind]["rich_text"]:
            plain = part["text"]["content"] if part["type"] == "text" else ""
            parts.append({**part, "plain_text": plain})
        return {"object": "block", "id": str(uuid.uuid4()), "type": kind, "has_children": False,
                "archived": False, "in_trash": False, kind: {"rich_text": parts}}  # fmt: skip

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


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"object": "error", "status": status, "code": code, "message": message}
    )


def _plain(parts: list[dict]) -> str:
    return "".join(p.get("plain_text", "") for p in parts)


def data_source(data_source_id: str, title: str, title_property: str = "Name") -> dict:
    """A data source object as search returns it (2025-09-03)."""
    return {
        "object": "data_source",
        "id": data_source_id,
        "title": [{"type": "text", "text": {"content": title, "link": None},
                   "plain_text": title, "href": None}],
        "parent": {"type": "database_id", "database_id": "db-" + data_source_id[-4:]},
        "database_parent": {"type": "page_id", "page_id": "af5f89b5-a8ff-4c56-a5e8-69797d11b9f8"},
        "properties": {
            title_property: {"id": "title", "name": title_property, "type": "title", "title": {}},
            "Tags": {"id": "tg", "name": "Tags", "type": "multi_select", "multi_select": {}},
        },
        "created_time": "2026-01-05T10:00:00.000Z",
        "last_edited_time": "2026-02-01T10:00:00.000Z",
        "archived": False,
        "in_trash": False,
        "url": "https://www.notion.so/" + data_source_id.replace("-", ""),
    }  # fmt: skip
