"""The web_search function's work: search, then an answer that fits a text, with sources."""

from __future__ import annotations

import logging
from typing import Any

from nudge.integrations.models import AITask, AITaskResult, Source
from nudge.integrations.untrusted import UNTRUSTED_INSTRUCTION, quote_untrusted
from nudge.integrations.websearch.search import SearchClient, SearchResult, search
from nudge.integrations.worker import WorkerDeps
from nudge.models import User
from nudge.settings import Settings

log = logging.getLogger("nudge.integrations")

ANSWER_CHARS = 220
TITLE_CHARS = 60


def web_search(deps: WorkerDeps, task: AITask, user: User, client: SearchClient) -> AITaskResult:
    settings = deps.settings
    query = task.parameters["query"]
    news = bool(task.parameters.get("news"))
    results = search(
        client,
        query,
        news=news,
        region=settings.web_search_region,
        max_results=settings.web_search_max_results,
    )
    if not results:
        return AITaskResult(
            text=f'I searched for "{query}" and found nothing. Want me to try other words?'
        )
    answer = (
        _answer_with_gemini(settings, query, results, deps.gemini_http)
        if settings.gemini_api_key
        else None
    )
    if answer:
        best = results[0]
        text = f"{answer}\nSource: {_short(best.title)} {best.url}"
        sources = [Source(title=best.title, url=best.url)]
    else:
        top = results[:2]
        lines = "\n".join(f"{i}. {_short(r.title)} {r.url}" for i, r in enumerate(top, 1))
        text = f'Top results for "{query}":\n{lines}'
        sources = [Source(title=r.title, url=r.url) for r in top]
    return AITaskResult(
        text=text, sources=sources, data={"answered_by": "gemini" if answer else "results"}
    )


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 3].rstrip() + "..."


def _answer_with_gemini(
    settings: Settings, query: str, results: list[SearchResult], http_client: Any = None
) -> str | None:
    """One or two plain sentences from the results, or None (then the results are sent)."""
    from nudge.llm.gemini import gemini_from_settings
    from nudge.llm.types import ChatMessage, ModelRequest, TurnFacts

    listing = "\n\n".join(
        f"[{i}] {r.title} ({r.url}){' ' + r.date if r.date else ''}\n{r.snippet}"
        for i, r in enumerate(results, 1)
    )
    instruction = (
        "You answer a web question for an adult with ADHD by SMS, from search results only. "
        f"{UNTRUSTED_INSTRUCTION} Plain text, one or two short sentences, under "
        f"{ANSWER_CHARS} characters, no links (the source is added after). If the results "
        "do not answer it, say so briefly."
    )
    request = ModelRequest(
        system_instruction=instruction,
        messages=[
            ChatMessage(
                role="user",
                text=f"Question: {query}\n\n" + quote_untrusted("web search results", listing),
            )
        ],
        tools=[],  # search results can never reach a tool
        facts=TurnFacts(timezone=settings.default_timezone),
    )
    try:
        reply = gemini_from_settings(settings, http_client).generate(request)
        if reply.function_calls:  # no tools were offered: a call is the content talking
            raise ValueError("the answer model asked for a tool")
        text = " ".join((reply.text or "").split())
    except Exception as exc:  # the results alone are still an answer
        log.warning("search answer by Gemini failed (%s); sending results", type(exc).__name__)
        return None
    return text[: ANSWER_CHARS * 2] or None
