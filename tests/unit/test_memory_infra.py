"""The term index's shards are declared unindexed in infra/, under the name the code uses."""

from __future__ import annotations

from nudge.store.memory_terms import COLLECTION
from tests.unit.test_infra import terraform  # noqa: F401  (the parsed infra/ fixture)


def test_term_index_entries_are_exempt_from_indexing(terraform):  # noqa: F811
    exemption = terraform["resource"]["google_firestore_field"]["memory_terms_entries"]
    assert exemption["collection"] == COLLECTION
    assert exemption["field"] == "entries"
    assert exemption["index_config"] == [{}]
