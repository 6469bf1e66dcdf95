"""The Firestore client: one per process, emulator or cloud alike."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from nudge.settings import Settings, get_settings

if TYPE_CHECKING:
    from google.cloud import firestore


def make_firestore_client(settings: Settings) -> firestore.Client:
    # The client reads FIRESTORE_EMULATOR_HOST itself and then uses anonymous credentials.
    from google.cloud import firestore

    return firestore.Client(project=settings.project_id, database=settings.firestore_database)


@lru_cache(maxsize=1)
def default_firestore_client() -> firestore.Client:
    return make_firestore_client(get_settings())
