"""The api function through functions-framework's test client, and people to call it as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from emulators import stack

API_SOURCE = stack.FUNCTIONS_DIR / "api" / "main.py"


def api_client():
    import functions_framework

    return functions_framework.create_app(target="api", source=str(API_SOURCE)).test_client()


@dataclass
class Person:
    user_id: str
    phone: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_person(store, phone: str | None = None, name: str = "Sam") -> Person:
    from nudge.api import tokens
    from nudge.models import User, utcnow

    phone = phone or f"+1555{uuid.uuid4().int % 10**7:07d}"
    user = store.users.create(User(phone=phone, name=name, timezone="America/Toronto"))
    secret, _ = tokens.create(store, user.id, "tests", utcnow())
    return Person(user.id, phone, secret)


def sign_in(client, store, settings, user_id: str) -> str:
    """Open a fresh sign-in link as a browser would; returns the session's CSRF token."""
    from nudge.api import links, sessions
    from nudge.api.secrets import digest
    from nudge.models import utcnow

    url = urlsplit(links.issue(store, settings, user_id, utcnow()))
    token = url.query.removeprefix("t=")
    assert client.get(f"/login?t={token}").status_code == 200
    response = client.post("/login", data={"t": token})
    assert response.status_code == 303, response.text
    cookie = client.get_cookie(sessions.COOKIE)
    return sessions.csrf_token(settings, digest(cookie.value))


def link_token(url: str) -> str:
    return urlsplit(url).query.removeprefix("t=")


class Texts:
    """A person texting the offline model through the real agent turn (at most 60 texts)."""

    def __init__(self, store, settings, user_id, embedder, queue=None):
        from nudge.conversation.turn import TurnDeps
        from nudge.llm.offline import OfflineModel
        from nudge.models import utcnow
        from nudge.sms.senders import LocalOutbox

        self.store, self.user_id, self.count = store, user_id, 0
        # Texts a second apart, never in the future (a reply waits out its text's settle window).
        self.start = utcnow() - timedelta(seconds=60)
        self.deps = TurnDeps(
            store=store,
            settings=settings,
            model=OfflineModel(embedder=embedder),
            sender=LocalOutbox(store.db),
            embedder_factory=lambda: embedder,
            queue=queue,
        )

    def say(self, body: str) -> str:
        from nudge.conversation.turn import run_agent_turn
        from nudge.models import Direction, Message

        self.count += 1
        now = self.start + timedelta(seconds=self.count)
        sid = f"SM{uuid.uuid4().hex}"
        self.store.messages.add(
            self.user_id,
            Message(direction=Direction.inbound, body=body, created_at=now, settled=False),
            doc_id=sid,
        )
        outcome = run_agent_turn(self.deps, user_id=self.user_id, message_id=sid, now=now)
        return outcome.reply or ""


def walk(db):
    """(path, data) of every document in the emulator's project, at any depth."""

    def documents(collection):
        for snapshot in collection.stream():
            yield snapshot.reference.path, snapshot.to_dict() or {}
            for sub in snapshot.reference.collections():
                yield from documents(sub)
        # Documents that exist only as parents of subcollections have no snapshot to stream.
        for ref in collection.list_documents():
            for sub in ref.collections():
                yield from documents(sub)

    for collection in db.collections():
        yield from documents(collection)
