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
