"""The term index's and vector shards' maps are declared unindexed in infra/, under the names
the code uses."""

from __future__ import annotations

import pytest

from nudge.store import memory_terms, vector_shards
from tests.unit.test_infra import terraform  # noqa: F401  (the parsed infra/ fixture)


@pytest.mark.parametrize(
    ("resource", "collection", "field"),
    [
        ("memory_terms_entries", memory_terms.COLLECTION, "entries"),
        ("memory_vectors_vectors", vector_shards.COLLECTION, "vectors"),
    ],
)
def test_index_maps_are_exempt_from_indexing(terraform, resource, collection, field):  # noqa: F811
    exemption = terraform["resource"]["google_firestore_field"][resource]
    assert exemption["collection"] == collection
    assert exemption["field"] == field
    assert exemption["index_config"] == [{}]
