"""Gemini first; the offline model when Gemini cannot answer, for the rest of the turn."""

from __future__ import annotations

import logging

from nudge.llm.types import LanguageModel, ModelReply, ModelRequest, ModelUnavailable

log = logging.getLogger("nudge.llm")


class FallbackModel:
    def __init__(self, primary: LanguageModel, fallback: LanguageModel) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failed_over = False
        self.name = primary.name

    def generate(self, request: ModelRequest) -> ModelReply:
        if not self.failed_over:
            try:
                return self.primary.generate(request)
            except ModelUnavailable as exc:
                log.warning(
                    "%s unavailable (%s); the offline model answers", self.primary.name, exc
                )
                self.failed_over = True
        return self.fallback.generate(request)


def model_for_turn(settings) -> LanguageModel:
    """A fresh model for one turn: Gemini with offline fallback, or offline alone."""
    from nudge.llm.offline import OfflineModel

    offline = OfflineModel()
    if settings.gemini_api_key is None:
        return offline
    from nudge.llm.gemini import gemini_from_settings

    return FallbackModel(gemini_from_settings(settings), offline)
