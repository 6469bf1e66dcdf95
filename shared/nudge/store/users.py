"""Users and the phone-number routing index (`phone_numbers/{e164}` -> user id)."""

from __future__ import annotations

from typing import Any

from google.api_core.exceptions import Conflict
from google.api_core.exceptions import NotFound as FirestoreNotFound
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from nudge.models import User, UserSettings, utcnow, validate_e164
from nudge.store.codec import encode_fields, from_document, to_document
from nudge.store.memory_terms import MemoryTermIndex
from nudge.store.repository import USERS, NotFound

PHONE_INDEX = "phone_numbers"
# A dedicated Twilio number per user (optional): `assistant_numbers/{e164}` -> user id.
ASSISTANT_NUMBER_INDEX = "assistant_numbers"
SETTINGS = "settings"
PREFERENCES = "preferences"


class UserRepository:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def create(self, user: User) -> User:
        """Create the user and claim their phone number atomically.

        If the number already belongs to someone (two first texts racing), the existing user is
        returned and nothing new is written.
        """
        return self.create_or_get(user)[0]

    def create_or_get(self, user: User) -> tuple[User, bool]:
        """`create`, also telling whether this call created the user (True) or found the one
        a racing call created (False): only the creator should say it welcomed someone."""
        user_ref = self.db.collection(USERS).document(user.id) if user.id else None
        user_ref = user_ref or self.db.collection(USERS).document()
        batch = self.db.batch()
        batch.create(
            self.db.collection(PHONE_INDEX).document(user.phone),
            {"user_id": user_ref.id, "created_at": utcnow()},
        )
        batch.create(user_ref, to_document(user))
        # A new user has no memories: their search index is complete (no rebuild to come).
        MemoryTermIndex(self.db).stage_built(batch, user_ref.id)
        try:
            batch.commit()
        except Conflict:
            existing = self.find_by_phone(user.phone)
            if existing is None:  # the index exists but points nowhere: a bug, not a race
                raise
            return existing, False
        return user.model_copy(update={"id": user_ref.id}), True

    def get(self, user_id: str) -> User | None:
        snapshot = self.db.collection(USERS).document(user_id).get()
        if not snapshot.exists:
            return None
        return from_document(User, snapshot.id, snapshot.to_dict() or {})

    def require(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound(f"users/{user_id}")
        return user

    def find_by_phone(self, phone: str) -> User | None:
        snapshot = self.db.collection(PHONE_INDEX).document(validate_e164(phone)).get()
        if not snapshot.exists:
            return None
        return self.get((snapshot.to_dict() or {})["user_id"])

    def route(self, from_number: str, to_number: str) -> User | None:
        """The user a text belongs to: by the dedicated number they texted, if it is theirs,
        else by their own phone number (one shared Nudge number). Both indexes are read in
        one round trip."""
        dedicated_ref = self.db.collection(ASSISTANT_NUMBER_INDEX).document(to_number)
        phone_ref = self.db.collection(PHONE_INDEX).document(from_number)
        found = {
            snap.reference.path: snap.to_dict()
            for snap in self.db.get_all([dedicated_ref, phone_ref])
            if snap.exists
        }
        if dedicated := found.get(dedicated_ref.path):
            user = self.get(dedicated["user_id"])
            if user is not None and user.phone == from_number:
                return user
        if by_phone := found.get(phone_ref.path):
            return self.get(by_phone["user_id"])
        return None

    def assign_assistant_number(self, user_id: str, number: str) -> User:
        """Give a user their own Nudge number; replies then come from it."""
        number = validate_e164(number)
        self.db.collection(ASSISTANT_NUMBER_INDEX).document(number).set(
            {"user_id": user_id, "created_at": utcnow()}
        )
        return self.update(user_id, assistant_number=number)

    def update(self, user_id: str, **fields: Any) -> User:
        try:
            self.db.collection(USERS).document(user_id).update(
                encode_fields({**fields, "updated_at": utcnow()})
            )
        except FirestoreNotFound as exc:
            raise NotFound(f"users/{user_id}") from exc
        return self.require(user_id)

    def list_ids(self, *, status: str | None = None) -> list[str]:
        """Every user id (for fan-out jobs); optionally only those with a status."""
        query: Any = self.db.collection(USERS)
        if status:
            query = query.where(filter=FieldFilter("status", "==", status))
        return [doc.id for doc in query.select([]).stream()]

    def delete(self, user_id: str) -> None:
        """Delete the user, every document under them, and their phone index entry."""
        user = self.get(user_id)
        self.db.recursive_delete(self.db.collection(USERS).document(user_id))
        if user is not None:
            self.db.collection(PHONE_INDEX).document(user.phone).delete()

    def _settings_ref(self, user_id: str) -> firestore.DocumentReference:
        return (
            self.db.collection(USERS).document(user_id).collection(SETTINGS).document(PREFERENCES)
        )

    def get_settings(self, user_id: str) -> UserSettings:
        snapshot = self._settings_ref(user_id).get()
        return UserSettings.model_validate(snapshot.to_dict() or {})

    def save_settings(self, user_id: str, settings: UserSettings) -> UserSettings:
        self._settings_ref(user_id).set(to_document(settings))
        return settings
