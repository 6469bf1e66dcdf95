"""How memories are written for search: normalized keywords and the dated text embedded."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

_WORD = re.compile(r"[a-z0-9']+")
_STOPWORD_TEXT = (
    "a an and are as at be but by did do does for from had has have i i'm in is it its me "
    "my of on or our she he that the their them they this to was we were what when where "
    "which who why will with you your about just can could would should there here how "
    "know tell remember any anything some"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Two memories this close (cosine distance) say the same thing.
SAME_FACT_DISTANCE = 0.04
MAX_TAGS = 8
MAX_TAG_CHARS = 40


def _stem(word: str) -> str:
    """A light stemmer: enough that "bake", "baked", "bakes" and "baking" meet, as do
    "birthday"/"birthdays", "run"/"running", "stress"/"stressed"."""
    word = word.strip("'").removesuffix("'s")
    for suffix in ("ies", "ied", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "s" and word.endswith("ss"):
                break  # "stress", "class": not a plural
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            doubled = len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz"
            if suffix in ("ing", "ed") and doubled:
                word = word[:-1]  # "running" -> "run", "stopped" -> "stop"
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # "bake" meets "baked"
    return word


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as every writer stores them (LLM, tool call, ingest file): a long list is trimmed,
    not refused (refusing would lose the fact), and a tag cannot crowd out the words."""
    cleaned: dict[str, None] = {}
    for tag in tags:
        tag = " ".join(str(tag).split())[:MAX_TAG_CHARS]
        if tag:
            cleaned.setdefault(tag)
    return list(cleaned)[:MAX_TAGS]


# Tags as a pydantic field type: every model that carries tags cleans them the same way.
Tags = Annotated[list[str], AfterValidator(clean_tags)]


def keywords(text: str, *, tags: Iterable[str] = (), limit: int = 60) -> list[str]:
    """The normalized words a memory is found by (stored sorted).

    Tags come first when the list is cut: they are the words the LLM chose for later searches,
    broader topics and synonyms the sentence lacks ("food" for a favourite takeaway), which is
    how the lexical path reaches paraphrases. Then the text's words in the order said.
    """
    chosen: dict[str, None] = {}
    for source in (" ".join(tags), text):
        for word in _WORD.findall(source.lower()):
            stem = _stem(word)
            if stem and stem not in _STOPWORDS and len(stem) > 1:
                chosen.setdefault(stem)
    return sorted(list(chosen)[:limit])


# Function words besides the keyword stop list: BM25 terms are for content words only (a word
# in most memories weighs almost nothing anyway; these are never worth a term).
_TERM_STOPWORD_TEXT = (
    "am been being both each few further having her hers herself him himself his into itself "
    "more most myself nor not now off once only other ours ourselves out over own same so than "
    "then theirs themselves these those through too under until up very whom yours yourself "
    "yourselves again against all after before below between down during above because if "
    "no such while also yes yeah oh ok okay hey hi hello got get let let's im it's that's"
)
TERM_STOPWORDS = _STOPWORDS | frozenset(_TERM_STOPWORD_TEXT.split())
# Terms kept a memory for the term index (a long imported text stays a compact entry).
MAX_TERMS = 80


def terms(text: str) -> list[str]:
    """The words BM25 counts, in the order said, repeats kept (term frequency): stemmed like
    the keywords, stop words removed. Queries and memories go through the same function."""
    found = []
    for word in _WORD.findall(text.lower()):
        if word.strip("'") in TERM_STOPWORDS:
            continue
        stem = _stem(word)
        if stem and stem not in TERM_STOPWORDS and len(stem) > 1:
            found.append(stem)
    return found


def memory_terms(content: str, tags: Iterable[str] = ()) -> list[str]:
    """A memory's terms: its sentence and the tags written for later searches."""
    return (terms(" ".join(tags)) + terms(content))[:MAX_TERMS]


# A memory's sentences are embedded too when it has several (a long chat turn whose one
# sentence answers a question: the whole turn's mean-pooled vector dilutes it).
MAX_SENTENCES = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:dr|mr|mrs|ms|st|vs|etc|e\.g|i\.e|no|approx)\.$", re.I)
# "Melanie: ..." (an ingested chat turn, a forwarded "Mom: ..."): the label goes with every
# sentence, as it is part of who said it.
_LABEL = re.compile(r"^([A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,2}): (?=\S)")


def sentences(content: str) -> list[str]:
    """The sentences of a memory worth their own vector (three words or more, at most
    MAX_SENTENCES), each with the memory's leading label; none for a one-sentence memory."""
    label = _LABEL.match(content)
    body = content[label.end() :] if label else content
    joined: list[str] = []
    for part in _SENTENCE_END.split(body.strip()):
        if joined and _ABBREVIATION.search(joined[-1]):
            joined[-1] += " " + part  # "Dr. Smith": not a sentence end
        else:
            joined.append(part)
    parts = [p for p in joined if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    prefix = f"{label.group(1)}: " if label else ""
    return [prefix + p for p in parts[:MAX_SENTENCES]]


def question_mask(content: str) -> int:
    """Which of a memory's vectors are questions: bit 0 its whole text (a one-sentence
    memory), bit n+1 its sentence n (`sentences`). A question is not an answer: in-process
    recall weighs these less, and the turn that answers one gets its similarity."""
    parts = sentences(content)
    if not parts:
        return int(content.rstrip().endswith("?"))
    return sum(2 ** (n + 1) for n, part in enumerate(parts) if part.rstrip().endswith("?"))


def dated(content: str, day: date) -> str:
    """What is embedded and shown: the date is part of the memory."""
    return f"({day.isoformat()}) {content}"
