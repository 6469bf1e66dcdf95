"""The vector shards' encoding and layout (no store needed)."""

from __future__ import annotations

import math
import struct

import pytest

from nudge.store import memory_terms, vector_shards


def test_a_vector_is_stored_unit_length_as_float16_little_endian():
    encoded = vector_shards.encode([3.0, 4.0])
    assert encoded == struct.pack("<2e", 0.6, 0.8)
    assert len(vector_shards.encode([0.1] * 384)) == 768


def test_a_zero_vector_stays_zero_and_a_bad_one_is_refused():
    assert struct.unpack("<3e", vector_shards.encode([0.0, 0.0, 0.0])) == (0.0, 0.0, 0.0)
    for bad in ([], [1.0, math.nan], [math.inf, 0.0]):
        with pytest.raises(ValueError, match="finite"):
            vector_shards.encode(bad)


def test_a_memory_s_vector_shard_belongs_to_its_term_shard():
    for n in range(500):
        memory_id = f"src-{n}"
        term = int(memory_terms.shard_of(memory_id))
        shard = vector_shards.shard_of(memory_id)
        assert int(shard) % memory_terms.SHARDS == term
        assert shard in vector_shards.shards_of_term_shard(term)
    assert len({s for t in range(32) for s in vector_shards.shards_of_term_shard(t)}) == 64
