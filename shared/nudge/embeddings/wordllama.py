"""WordLlama: small static embeddings whose weights ship inside the wheel (no download)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


class WordLlamaEmbedder:
    name = "wordllama"

    def __init__(self, dimension: int = 256) -> None:
        import wordllama
        from wordllama import WordLlama

        # The loader looks for the bundled tokenizer config under cache_dir/tokenizers, not in
        # the package: give it a folder holding a copy.
        package = Path(wordllama.__file__).parent
        config = "l2_supercat_tokenizer_config.json"
        cache = Path(tempfile.gettempdir()) / "nudge-wordllama"
        (cache / "tokenizers").mkdir(parents=True, exist_ok=True)
        if not (cache / "tokenizers" / config).exists():
            shutil.copy(package / "tokenizers" / config, cache / "tokenizers" / config)
        self._model = WordLlama.load(cache_dir=cache, dim=dimension)
        self.dimension = dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self._model.embed(texts, norm=True)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
