"""ddgs text and news search, its results as our model, its errors as ours.

ddgs speaks HTTP through its own engine (primp), which cannot be intercepted; the seam is the
`DDGS`-shaped client (`text` / `news` returning ddgs' result dicts), passed in by tests.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from nudge.web import RetryLater

# ddgs raises this (a DDGSException, not a subclass) when every engine came back empty.
NO_RESULTS = "No results found."


class SearchClient(Protocol):
    def text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]: ...

    def news(self, query: str, **kwargs: Any) -> list[dict[str, Any]]: ...


class SearchResult(BaseModel):
    title: str
    url: str
    snippet: str = ""
    source: str = ""
    date: str = ""


def default_search_client() -> SearchClient:
    from ddgs import DDGS

    return DDGS(timeout=10)


def search(
    client: SearchClient, query: str, *, news: bool, region: str, max_results: int
) -> list[SearchResult]:
    """Results best first; [] when there are none. Rate limits and timeouts: RetryLater."""
    from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

    try:
        if news:
            raw = client.news(query, region=region, safesearch="moderate", max_results=max_results)
        else:
            raw = client.text(query, region=region, safesearch="moderate", max_results=max_results)
    except RatelimitException:
        raise RetryLater("web search rate limited", 60) from None
    except TimeoutException:
        raise RetryLater("web search timed out") from None
    except DDGSException as exc:
        if str(exc) == NO_RESULTS:
            return []
        raise RetryLater(f"web search failed ({type(exc).__name__})") from None
    return [_result(item) for item in raw if (item.get("href") or item.get("url"))]


def _result(item: dict[str, Any]) -> SearchResult:
    # text results: title, href, body; news results: date, title, body, url, image, source.
    return SearchResult(
        title=" ".join(str(item.get("title") or "").split()),
        url=str(item.get("href") or item.get("url")),
        snippet=" ".join(str(item.get("body") or "").split()),
        source=str(item.get("source") or ""),
        date=str(item.get("date") or ""),
    )
