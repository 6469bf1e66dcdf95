"""A typed repository over one per-user subcollection, `users/{user_id}/{collection}`.

Every method takes the user id first: a query can only ever read one user's documents, because
the path itself is scoped (collection-group sweeps are separate, named methods).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from google.api_core.exceptions import NotFound as FirestoreNotFound
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from nudge.models import Document, utcnow
from nudge.store.codec import encode_fields, from_document, to_document

D = TypeVar("D", bound=Document)

USERS = "users"


class NotFound(LookupError):
    """The document does not exist for this user."""


class UserScopedRepository(Generic[D]):
    collection: ClassVar[str]
    model: ClassVar[type[Document]]

    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _collection(self, user_id: str) -> firestore.CollectionReference:
        if not user_id or "/" in user_id:
            raise ValueError("a user id is required and cannot contain '/'")
        return self.db.collection(USERS).document(user_id).collection(self.collection)

    def _decode(self, doc: firestore.DocumentSnapshot) -> D:
        return self._decode_data(doc.id, doc.to_dict() or {})

    def _decode_data(self, doc_id: str, data: dict[str, Any]) -> D:
        return from_document(self.model, doc_id, data)  # type: ignore[return-value]

    def add(self, user_id: str, item: D, *, doc_id: str | None = None) -> D:
        """Store a new document; with `doc_id`, fail if it already exists (create semantics)."""
        collection = self._collection(user_id)
        ref = collection.document(doc_id) if doc_id else collection.document()
        ref.create(to_document(item))
        return item.model_copy(update={"id": ref.id})

    def get(self, user_id: str, doc_id: str) -> D | None:
        snapshot = self._collection(user_id).document(doc_id).get()
        return self._decode(snapshot) if snapshot.exists else None

    def require(self, user_id: str, doc_id: str) -> D:
        item = self.get(user_id, doc_id)
        if item is None:
            raise NotFound(f"{self.collection}/{doc_id}")
        return item

    def update(self, user_id: str, doc_id: str, **fields: Any) -> D:
        ref = self._collection(user_id).document(doc_id)
        try:
            ref.update(encode_fields({**fields, "updated_at": utcnow()}))
        except FirestoreNotFound as exc:
            raise NotFound(f"{self.collection}/{doc_id}") from exc
        return self.require(user_id, doc_id)

    def patch(self, user_id: str, doc_id: str, **fields: Any) -> None:
        """Like `update`, without reading the document back (one round trip, not two)."""
        try:
            self._collection(user_id).document(doc_id).update(
                encode_fields({**fields, "updated_at": utcnow()})
            )
        except FirestoreNotFound as exc:
            raise NotFound(f"{self.collection}/{doc_id}") from exc

    def delete(self, user_id: str, doc_id: str) -> None:
        self._collection(user_id).document(doc_id).delete()

    def list(
        self,
        user_id: str,
        *,
        where: list[tuple[str, str, Any]] | None = None,
        order_by: str | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> list[D]:
        query: Any = self._collection(user_id)
        for field, op, value in where or []:
            query = query.where(filter=FieldFilter(field, op, encode_fields({field: value})[field]))
        if order_by:
            direction = firestore.Query.DESCENDING if descending else firestore.Query.ASCENDING
            query = query.order_by(order_by, direction=direction)
        if limit:
            query = query.limit(limit)
        return [self._decode(doc) for doc in query.stream()]
