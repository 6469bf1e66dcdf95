"""Notion links, one per user: `users/{id}/notion_links/notion`."""

from __future__ import annotations

from nudge.models.notion import NotionLink
from nudge.store.codec import to_document
from nudge.store.repository import UserScopedRepository

DOC = "notion"


class NotionLinkRepository(UserScopedRepository[NotionLink]):
    collection = "notion_links"
    model = NotionLink

    def put(self, user_id: str, link: NotionLink) -> NotionLink:
        self._collection(user_id).document(DOC).set(to_document(link))
        return link.model_copy(update={"id": DOC})

    def of(self, user_id: str) -> NotionLink | None:
        return self.get(user_id, DOC)

    def set_fields(self, user_id: str, **fields) -> None:
        self.patch(user_id, DOC, **fields)

    def every_link(self) -> list[tuple[str, NotionLink]]:
        """(user id, link) for every person with Notion linked (the cron fan-out)."""
        return [
            (doc.reference.parent.parent.id, self._decode(doc))
            for doc in self.db.collection_group(self.collection).stream()
        ]
