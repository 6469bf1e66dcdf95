"""Intents by meaning: the text's embedding against many example utterances per intent.

The examples are data (`intents.json`); adding an intent is adding an entry there (and, for a
new action, its slots in `reader.py`). The local embedder is WordLlama, loaded once per process
and only when a text needs it; without it (a cloud bundle that lacks the package) the reader's
rules still work and everything else is a question.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("nudge.understanding")

INTENTS_FILE = Path(__file__).with_name("intents.json")

# Below this cosine similarity to the nearest example, the text is not taken as that intent
# (WordLlama: paraphrases of an example score 0.7-0.95, unrelated texts under 0.5).
CONFIDENCE_FLOOR = 0.62
# Two different actions this close are a coin toss: ask instead.
AMBIGUOUS_MARGIN = 0.025


@dataclass(frozen=True)
class Match:
    intent: str
    score: float
    runner_up: str | None = None
    runner_up_score: float = 0.0

    @property
    def confident(self) -> bool:
        return self.score >= CONFIDENCE_FLOOR

    @property
    def ambiguous(self) -> bool:
        return self.runner_up is not None and self.score - self.runner_up_score < AMBIGUOUS_MARGIN


@lru_cache(maxsize=1)
def load_examples() -> dict[str, list[str]]:
    data = json.loads(INTENTS_FILE.read_text(encoding="utf-8"))
    return {intent: entry["examples"] for intent, entry in data.items()}


class IntentClassifier:
    """Nearest examples by cosine similarity; the score of an intent is its best example's."""

    def __init__(self, embedder, examples: dict[str, list[str]] | None = None) -> None:
        import numpy as np

        self._np = np
        self._embedder = embedder
        examples = examples if examples is not None else load_examples()
        self._labels = [intent for intent, texts in examples.items() for _ in texts]
        texts = [text for texts in examples.values() for text in texts]
        self._matrix = np.asarray(embedder.embed_documents([t.lower() for t in texts]))

    def classify(self, text: str) -> Match:
        np = self._np
        query = np.asarray(self._embedder.embed_query(text.lower()))
        scores = self._matrix @ query
        best: dict[str, float] = {}
        for label, score in zip(self._labels, scores.tolist(), strict=True):
            if score > best.get(label, -1.0):
                best[label] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])
        top, score = ranked[0]
        if len(ranked) > 1:
            return Match(top, score, ranked[1][0], ranked[1][1])
        return Match(top, score)


@lru_cache(maxsize=4)
def _classifier_for(embedder) -> IntentClassifier:
    return IntentClassifier(embedder)


def default_classifier() -> IntentClassifier | None:
    """The process's classifier over the local embedder (the memory embedder when that is
    WordLlama, so it is loaded once); None when WordLlama is not installed."""
    try:
        embedder = _local_embedder()
    except ImportError:
        log.warning("wordllama is not installed; offline understanding uses rules only")
        return None
    return _classifier_for(embedder)


@lru_cache(maxsize=1)
def _local_embedder():
    from nudge.settings import get_settings

    settings = get_settings()
    if settings.embedding_model == "wordllama":
        from nudge.embeddings import default_embedder

        return default_embedder()
    from nudge.embeddings.wordllama import WordLlamaEmbedder

    return WordLlamaEmbedder()
