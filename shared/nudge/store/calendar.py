"""Events, calendar links and integration credentials, per user: `users/{id}/events`,
`users/{id}/calendar_links`, `users/{id}/credentials`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from nudge.models.credentials import Credential
from nudge.models.events import CalendarLink, Event, EventSource, event_doc_id
from nudge.models.mail import MailOffer
from nudge.store.codec import to_document
from nudge.store.repository import UserScopedRepository

# Firestore takes at most 500 writes per batch.
BATCH_LIMIT = 400


class EventRepository(UserScopedRepository[Event]):
    collection = "events"
    model = Event

    def upsert_many(self, user_id: str, events: Iterable[Event]) -> list[str]:
        """Write each event at its (source, external id) document: the same sync run twice
        writes the same documents, never duplicates. Returns the document ids."""
        collection = self._collection(user_id)
        ids: list[str] = []
        batch, pending = self.db.batch(), 0
        for event in events:
            doc_id = event_doc_id(event.source, event.external_id)
            # created_at is left out so a re-sync keeps the first-seen time (merge).
            batch.set(
                collection.document(doc_id),
                to_document(event, exclude={"created_at"}),
                merge=True,
            )
            ids.append(doc_id)
            pending += 1
            if pending >= BATCH_LIMIT:
                batch.commit()
                batch, pending = self.db.batch(), 0
        if pending:
            batch.commit()
        return ids

    def delete_many(self, user_id: str, doc_ids: Iterable[str]) -> int:
        collection = self._collection(user_id)
        batch, pending, total = self.db.batch(), 0, 0
        for doc_id in doc_ids:
            batch.delete(collection.document(doc_id))
            pending += 1
            total += 1
            if pending >= BATCH_LIMIT:
                batch.commit()
                batch, pending = self.db.batch(), 0
        if pending:
            batch.commit()
        return total

    def of_source(self, user_id: str, source: EventSource) -> list[Event]:
        return self.list(user_id, where=[("source", "==", source)])

    def between(self, user_id: str, start: datetime, end: datetime) -> list[Event]:
        """Events overlapping [start, end), earliest first (one range filter: on `start`,
        reaching back a day for events already under way)."""
        from datetime import timedelta

        found = self.list(
            user_id,
            where=[("start", "<", end), ("start", ">=", start - timedelta(days=1))],
            order_by="start",
        )
        return [e for e in found if e.end > start]


class CalendarLinkRepository(UserScopedRepository[CalendarLink]):
    collection = "calendar_links"
    model = CalendarLink

    def put(self, user_id: str, link: CalendarLink) -> CalendarLink:
        self._collection(user_id).document(link.source.value).set(to_document(link))
        return link.model_copy(update={"id": link.source.value})

    def every_link(self) -> list[tuple[str, CalendarLink]]:
        """(user id, link) for every linked calendar of every user (the cron fan-out)."""
        return [
            (doc.reference.parent.parent.id, self._decode(doc))
            for doc in self.db.collection_group(self.collection).stream()
        ]


class CredentialRepository(UserScopedRepository[Credential]):
    collection = "credentials"
    model = Credential

    def put(self, user_id: str, credential: Credential) -> Credential:
        self._collection(user_id).document(credential.provider).set(to_document(credential))
        return credential.model_copy(update={"id": credential.provider})


class MailOfferRepository(UserScopedRepository[MailOffer]):
    collection = "mail_offers"
    model = MailOffer
