"""The embeddings port: all-MiniLM-L6-v2 in the local stack, WordLlama in tests (fast, static),
Gemini embeddings in the cloud."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from nudge.settings import Settings, get_settings


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding_model == "wordllama":
        from nudge.embeddings.wordllama import WordLlamaEmbedder

        return WordLlamaEmbedder(dimension=settings.embedding_dimension)
    if settings.embedding_model == "minilm":
        from nudge.embeddings.minilm import MiniLMEmbedder

        return MiniLMEmbedder(dimension=settings.embedding_dimension)
    from nudge.embeddings.gemini import GeminiEmbedder

    if settings.gemini_api_key is None:
        raise RuntimeError("Gemini embeddings need NUDGE_GEMINI_API_KEY")
    return GeminiEmbedder(
        api_key=settings.gemini_api_key.get_secret_value(),
        model=settings.embedding_model,
        dimension=settings.embedding_dimension,
    )


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    return make_embedder(get_settings())
