"""The recall benches' measures: evidence recall at k and MRR, and the room fusion has (the
lexical and vector top 10s together)."""

from __future__ import annotations

from tests.bench.bench_memory import either_top_10s, evidence_recall

QUESTIONS = [
    {"question": "one", "evidence": ["a"]},
    {"question": "two", "evidence": ["b", "c"]},
]


def test_evidence_recall_counts_each_questions_share_of_its_evidence_and_first_rank():
    ranked = {"one": ["x", "a"], "two": ["c"] + [f"n{i}" for i in range(8)] + ["b"]}

    result = evidence_recall(QUESTIONS, ranked)

    # one: "a" at 2; two: "c" at 1, "b" at 10.
    assert result == {"recall@1": 25.0, "recall@5": 75.0, "recall@10": 100.0, "mrr@10": 0.75}


def test_either_top_10s_is_the_union_of_the_two_paths_top_10s():
    filler = [f"n{i}" for i in range(10)]
    ranked = {
        # "a" only in lexical's top 10, "b" only in vector's, "c" 11th in both: not counted.
        "lexical": {"one": ["a", *filler], "two": [*filler, "c"]},
        "vector": {"one": filler, "two": ["b", *filler[:9], "c"]},
    }

    assert either_top_10s(QUESTIONS, ranked) == 75.0
    assert either_top_10s(QUESTIONS[1:], ranked) == 50.0
