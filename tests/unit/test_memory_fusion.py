"""Fusion's per-query weights: a path whose best memory stands out over its third leads."""

from __future__ import annotations

import pytest

from nudge.memory import recall

# One memory far ahead of the rest (a rare word only it holds), and a flat top three.
SHARP = {"a": 1.0, "b": 0.3, "c": 0.25, "d": 0.2}
# Three close memories, then a drop after the third: the tenth-score margin called it sharp.
LEVEL_TOP_THREE = {"a": 1.0, "b": 0.97, "c": 0.95} | {f"x{i}": 0.1 for i in range(8)}


def test_the_sharper_path_gets_more_than_its_fixed_weight():
    lexical, vector = recall._weights(SHARP, LEVEL_TOP_THREE)
    assert lexical > recall.LEXICAL_WEIGHT and vector < recall.VECTOR_WEIGHT
    assert lexical + vector == pytest.approx(1.0)
    lexical, vector = recall._weights(LEVEL_TOP_THREE, SHARP)
    assert lexical < recall.LEXICAL_WEIGHT and vector > recall.VECTOR_WEIGHT


def test_a_level_top_three_is_no_confidence_whatever_follows_it():
    assert recall._margin(LEVEL_TOP_THREE) == pytest.approx(0.05)
    assert recall._margin(SHARP) == pytest.approx(0.75)


def test_no_scores_or_no_margins_keep_the_fixed_weights():
    assert recall._weights({}, {}) == (recall.LEXICAL_WEIGHT, recall.VECTOR_WEIGHT)
    level = {"a": 0.5, "b": 0.5, "c": 0.5}
    assert recall._weights(level, level) == (recall.LEXICAL_WEIGHT, recall.VECTOR_WEIGHT)


def test_standard_scores_have_mean_zero_and_unit_spread():
    scores = recall._standardised({"a": 9.0, "b": 1.0, "c": 2.0, "d": 0.0})
    assert sum(scores.values()) == pytest.approx(0.0)
    assert sum(s * s for s in scores.values()) / len(scores) == pytest.approx(1.0)
    assert max(scores, key=scores.get) == "a"


def test_a_flat_path_gives_standard_scores_of_zero_not_a_division_by_zero():
    assert recall._standardised({"a": 0.4, "b": 0.4}) == {"a": 0.0, "b": 0.0}
    assert recall._standardised({}) == {}


def test_a_memory_far_ahead_on_one_path_outranks_one_slightly_ahead_on_the_other():
    # Lexical: "answer" stands far above the rest; vector: a flat pool where "greeting" is
    # a hair ahead (a weak embedder on chat text). Standard scores keep that difference.
    lexical = {"answer": 9.0, "greeting": 1.0} | {f"x{i}": 1.0 for i in range(10)}
    vector = {"answer": 0.50, "greeting": 0.53} | {f"x{i}": 0.50 for i in range(10)}
    lexical_z, vector_z = recall._standardised(lexical), recall._standardised(vector)
    weight_lexical, weight_vector = recall._weights(
        recall._normalised(lexical), recall._normalised(vector)
    )
    fused = {i: weight_lexical * lexical_z[i] + weight_vector * vector_z[i] for i in lexical}
    assert max(fused, key=fused.get) == "answer"
