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


def test_a_memory_s_sentences_carry_its_label_and_skip_abbreviations():
    from nudge.memory.text import MAX_SENTENCES, sentences

    assert sentences("Melanie: I've been running farther. It has been great for my headspace!") == [
        "Melanie: I've been running farther.",
        "Melanie: It has been great for my headspace!",
    ]
    assert sentences("Dr. Smith said the results look fine. Next visit is in May.") == [
        "Dr. Smith said the results look fine.",
        "Next visit is in May.",
    ]
    # One sentence (or one besides greetings too short to search by) needs no second vector.
    assert sentences("My locker code is 4471") == []
    assert sentences("Hey Melanie! Just wanted to say hi!") == []
    many = " ".join(f"Sentence number {n} is here." for n in range(9))
    assert len(sentences(many)) == MAX_SENTENCES


def test_a_memory_s_questions_are_marked_by_vector():
    from nudge.memory.text import question_mask

    # One sentence: bit 0 is the whole text.
    assert question_mask("Caroline: What got you into pottery, Leah?") == 1
    assert question_mask("Hey Melanie! How are you?") == 1  # "Hey Melanie!" is no sentence
    assert question_mask("My locker code is 4471") == 0
    # Several: bit n + 1 is sentence n; the whole text of a mixed turn is no question.
    turn = "Leah: I finally signed up for pottery! It was fun. What about you, Marcus?"
    assert question_mask(turn) == 0b1000
    assert question_mask("Did you go? Was it good? I hope so.") == 0b0110
