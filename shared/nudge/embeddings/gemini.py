"""Gemini embeddings, with the task types that separate documents from queries."""

from __future__ import annotations

from typing import Any


class GeminiEmbedder:
    def __init__(
        self, *, api_key: str, model: str, dimension: int, http_client: Any = None
    ) -> None:
        from google import genai
        from google.genai import types

        self.name = f"gemini:{model}"
        self.model = model
        self.dimension = dimension
        self._client = genai.Client(
            api_key=api_key, http_options=types.HttpOptions(httpx_client=http_client)
        )

    def _embed(self, texts: list[str], task_type: str) -> list[list[float]]:
        from google.genai import types

        response = self._client.models.embed_content(
            model=self.model,
            contents=texts,
            config=types.EmbedContentConfig(
                task_type=task_type, output_dimensionality=self.dimension
            ),
        )
        return [list(e.values or []) for e in response.embeddings or []]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts, "RETRIEVAL_DOCUMENT") if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "RETRIEVAL_QUERY")[0]
