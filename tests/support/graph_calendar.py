"""An Outlook calendar behind Microsoft Graph's documented calendar endpoints:
`GET /me/calendarView/delta` (pages joined by @odata.nextLink, ending in @odata.deltaLink;
later rounds return only changes, deletions as `@removed`) and `POST /me/events`."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tests.support.microsoft import GRAPH, respond

PAGE_SIZE = 2


def graph_time(moment: datetime) -> dict:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC"}  # fmt: skip


def graph_event(event_id: str, subject: str, start: datetime, end: datetime, **extra) -> dict:
    return {
        "@odata.etag": f'W/"{secrets.token_hex(8)}"',
        "id": event_id,
        "subject": subject,
        "isAllDay": False,
        "isCancelled": False,
        "showAs": "busy",
        "type": "singleInstance",
        "start": graph_time(start),
        "end": graph_time(end),
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"},
        "webLink": f"https://outlook.office365.com/owa/?itemid={event_id}&exfvsurl=1&path=/calendar/item",
        **extra,
    }


class GraphCalendar:
    def __init__(self) -> None:
        self.events: dict[str, dict] = {}
        self.changes: list[dict] = []  # since the last deltaLink was handed out
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, query, headers
        self.throttle: list[int] = []  # Retry-After seconds for the next calls
        self.tokens: dict[str, list[dict]] = {}

    def add(self, event: dict) -> None:
        self.events[event["id"]] = event
        self.changes.append(event)

    def remove(self, event_id: str) -> None:
        self.events.pop(event_id)
        self.changes.append({"@odata.type": "#microsoft.graph.event", "id": event_id,
                             "@removed": {"reason": "deleted"}})  # fmt: skip

    def __call__(self, request, path: str, query: dict, body: dict):
        self.requests.append((request.method, path, query, dict(request.headers)))
        if self.throttle:
            return respond(request, 429, {"error": {"code": "TooManyRequests", "message":
                           "Please retry again later."}},
                           headers={"Retry-After": str(self.throttle.pop(0))})  # fmt: skip
        if request.method == "GET" and path == "/v1.0/me/calendarView/delta":
            return respond(request, 200, self._delta(query))
        if request.method == "POST" and path == "/v1.0/me/events":
            existing = [e for e in self.events.values()
                        if e.get("transactionId") == body.get("transactionId")]  # fmt: skip
            if existing:  # Graph's transactionId: the same create twice makes one event
                return respond(request, 201, existing[0])
            created = graph_event(
                "AAMkAGI2TGuLAAA=" + secrets.token_hex(6), body["subject"],
                _local(body["start"]), _local(body["end"]), transactionId=body["transactionId"],
            )  # fmt: skip
            self.add(created)
            return respond(request, 201, created)
        return respond(request, 404, {"error": {"code": "ResourceNotFound", "message": path}})

    def _delta(self, query: dict) -> dict:
        if "$skiptoken" in query:
            items = self.tokens.pop(query["$skiptoken"][0])
        elif "$deltatoken" in query:
            items, self.changes = self.changes, []
        else:  # a new round: everything in the window
            items, self.changes = list(self.events.values()), []
        page, rest = items[:PAGE_SIZE], items[PAGE_SIZE:]
        answer = {"@odata.context": f"{GRAPH}/v1.0/$metadata#Collection(event)", "value": page}
        if rest:
            token = secrets.token_urlsafe(12)
            self.tokens[token] = rest
            answer["@odata.nextLink"] = f"{GRAPH}/v1.0/me/calendarView/delta?$skiptoken={token}"
        else:
            answer["@odata.deltaLink"] = (
                f"{GRAPH}/v1.0/me/calendarView/delta?$deltatoken={secrets.token_urlsafe(12)}"
            )
        return answer


def _local(value: dict) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(value["dateTime"]).replace(tzinfo=ZoneInfo(value["timeZone"]))
