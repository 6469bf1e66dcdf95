"""How memories are written for the lexical path: normalized keywords, tags first."""

from __future__ import annotations

from nudge.memory.extraction import CandidateFact
from nudge.memory.text import MAX_TAGS, keywords


def test_keywords_are_stemmed_without_stopwords_and_sorted():
    assert {keywords(w)[0] for w in ("bake", "baked", "bakes", "baking")} == {"bak"}
    assert {keywords(w)[0] for w in ("run", "running", "runs")} == {"run"}
    assert {keywords(w)[0] for w in ("stress", "stressed", "stresses")} == {"stress"}
    assert keywords("My sister Anna's birthdays are in June") == [
        "anna",
        "birthday",
        "jun",
        "sister",
    ]


def test_tags_join_the_keywords_and_survive_a_cut():
    long_text = " ".join(f"word{n}" for n in range(100))
    words = keywords(long_text, tags=["Food", "ordering in"], limit=10)
    assert len(words) == 10
    assert {"food", "order"} <= set(words)
    assert "word0" in words and "word99" not in words  # then the text, in the order said


def test_a_long_tag_list_from_the_llm_is_trimmed_not_refused():
    fact = CandidateFact(content="likes pho", tags=[f"tag{n}" for n in range(20)] + [" "])
    assert fact.tags == [f"tag{n}" for n in range(MAX_TAGS)]
