"""Everything a person has, as one JSON document (and CSV for tasks and expenses).

The export walks the user's document and every collection under it as stored, so a collection
added later is exported without anyone remembering to list it. Left out: embeddings (numbers
that mean nothing outside the model), sealed secrets (token caches, private calendar links)
and the memory search index, which is rebuilt from the memories themselves.
"""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, datetime
from typing import Any

from google.cloud.firestore_v1.vector import Vector

from nudge.store import Store
from nudge.store.repository import USERS

FORMAT = "nudge-export/1"
# Collections under a user that are not the person's data but derived from it.
DERIVED = {
    "memory_terms": "the memory search index, rebuilt from the memories",
    "memory_vectors": "the memories' embeddings, compacted for search, rebuilt from them",
}
# Fields that hold secrets sealed at rest, or embeddings.
SECRET_FIELDS = frozenset({"sealed", "url_ciphertext", "flow"})
EMBEDDING_FIELDS = frozenset({"embedding"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "path") and hasattr(value, "id"):  # a DocumentReference
        return value.path
    return value


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _plain(value)
        for name, value in data.items()
        if name not in SECRET_FIELDS | EMBEDDING_FIELDS and not isinstance(value, Vector)
    }


def _collection(ref) -> list[dict[str, Any]]:
    documents = []
    for snapshot in ref.stream():
        document = {"id": snapshot.id, **_fields(snapshot.to_dict() or {})}
        nested = {sub.id: _collection(sub) for sub in snapshot.reference.collections()}
        if nested:
            document["collections"] = nested
        documents.append(document)
    return documents


def export_user(store: Store, user_id: str, now: datetime) -> dict[str, Any]:
    user_ref = store.db.collection(USERS).document(user_id)
    snapshot = user_ref.get()
    collections = {
        sub.id: _collection(sub)
        for sub in sorted(user_ref.collections(), key=lambda c: c.id)
        if sub.id not in DERIVED
    }
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "user": {"id": user_id, **_fields(snapshot.to_dict() or {})},
        "collections": collections,
        "left_out": {
            **DERIVED,
            "embeddings": "memory vectors (numbers only the model reads)",
            "secrets": "sealed sign-in tokens and private calendar links",
        },
    }


TASK_COLUMNS = [
    "id",
    "title",
    "status",
    "priority",
    "due_at",
    "estimate_minutes",
    "energy",
    "goal_id",
    "parent_task_id",
    "completed_at",
    "created_at",
    "notes",
]
EXPENSE_COLUMNS = ["id", "spent_on", "amount", "currency", "category", "note", "created_at"]


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in columns})
    return out.getvalue()


def tasks_csv(store: Store, user_id: str) -> str:
    tasks = sorted(store.tasks.list(user_id), key=lambda t: t.created_at)
    return _csv([{**t.model_dump(mode="json")} for t in tasks], TASK_COLUMNS)


def expenses_csv(store: Store, user_id: str) -> str:
    from nudge.store.life_admin import LifeAdmin

    expenses = LifeAdmin(store.db).expenses.list(user_id)
    expenses.sort(key=lambda e: (e.spent_on, e.created_at))
    return _csv([e.model_dump(mode="json") for e in expenses], EXPENSE_COLUMNS)
