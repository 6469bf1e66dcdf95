"""Model <-> Firestore document conversion.

Firestore stores datetimes natively but not `date`, `time` or `Enum`; the embedding list
becomes a `Vector` so `find_nearest` can search it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypeVar

from google.cloud.firestore_v1.vector import Vector
from pydantic import BaseModel

VECTOR_FIELDS = frozenset({"embedding"})

M = TypeVar("M", bound=BaseModel)


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def to_document(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = model.model_dump(mode="python", exclude={"id"} | (exclude or set()))
    return encode_fields(data)


def encode_fields(data: dict[str, Any]) -> dict[str, Any]:
    encoded = {}
    for key, value in data.items():
        if key in VECTOR_FIELDS and value is not None:
            encoded[key] = Vector(list(value))
        else:
            encoded[key] = _encode(value)
    return encoded


def from_document(model: type[M], doc_id: str, data: dict[str, Any]) -> M:
    decoded = {k: (list(v) if isinstance(v, Vector) else v) for k, v in data.items()}
    return model.model_validate({**decoded, "id": doc_id})
