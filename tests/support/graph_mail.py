"""An Outlook mailbox behind Graph's documented message endpoints (`GET /me/mailFolders/
{inbox|sentitems}/messages` with `$select`, `$filter`, `$top`); anything else is refused, so a
test sees if triage ever tried to send, move or delete mail."""

from __future__ import annotations

from tests.support.microsoft import GRAPH, respond


def message(
    mid: str, subject: str, name: str, address: str, received: str, *,
    importance: str = "normal", flagged: bool = False, preview: str = "",
) -> dict:  # fmt: skip
    return {
        "@odata.etag": 'W/"CQAAABYAAAB"',
        "id": mid,
        "receivedDateTime": received,
        "subject": subject,
        "bodyPreview": preview,
        "importance": importance,
        "isRead": False,
        "webLink": f"https://outlook.office365.com/owa/?ItemID={mid}&exvsurl=1&viewmodel=ReadMessageItem",
        "from": {"emailAddress": {"name": name, "address": address}},
        "flag": {"flagStatus": "flagged" if flagged else "notFlagged"},
    }


class GraphMailbox:
    def __init__(self, inbox: list[dict], sent_to: list[str]) -> None:
        self.inbox = inbox
        self.sent_to = sent_to
        self.requests: list[tuple[str, str, dict]] = []

    def __call__(self, request, path: str, query: dict, body: dict):
        self.requests.append((request.method, path, query))
        if request.method != "GET":
            return respond(request, 403, {"error": {"code": "ErrorAccessDenied",
                                                    "message": "Access is denied."}})  # fmt: skip
        if path == "/v1.0/me/mailFolders/inbox/messages":
            context = f"{GRAPH}/v1.0/$metadata#users('me')/mailFolders('inbox')/messages"
            unread = [m for m in self.inbox if not m["isRead"]]
            return respond(request, 200, {"@odata.context": context, "value": unread})
        if path == "/v1.0/me/mailFolders/sentitems/messages":
            return respond(request, 200, {"value": [
                {"@odata.etag": 'W/"x"', "id": f"sent-{i}", "toRecipients": [
                    {"emailAddress": {"name": a.split("@")[0], "address": a}}]}
                for i, a in enumerate(self.sent_to)
            ]})  # fmt: skip
        return respond(request, 404, {"error": {"code": "ResourceNotFound", "message": path}})
