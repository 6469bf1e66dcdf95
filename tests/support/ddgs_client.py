"""A stand-in for `ddgs.DDGS` at its narrowest seam: `text` and `news` returning result dicts
shaped as ddgs documents them (text: title, href, body; news: date, title, body, url, image,
source), or raising ddgs' own exceptions."""

from __future__ import annotations

from typing import Any

TEXT_RESULTS = [
    {
        "title": "DMV Office Hours and Locations | Department of Motor Vehicles",
        "href": "https://dmv.example.gov/locations",
        "body": "Most offices are open Monday to Friday, 8:00 a.m. to 5:00 p.m.",
    },
    {
        "title": "Make an appointment",
        "href": "https://dmv.example.gov/appointments",
        "body": "Skip the line: book online up to 90 days ahead.",
    },
    {
        "title": "DMV hours near you",
        "href": "https://maps.example.com/dmv",
        "body": "Hours vary by location.",
    },
]

NEWS_RESULTS = [
    {
        "date": "2026-03-02T09:14:00+00:00",
        "title": "Transit strike ends after deal reached",
        "body": "Buses and trains resume full service on Tuesday.",
        "url": "https://news.example.com/strike-ends",
        "image": "https://news.example.com/strike.jpg",
        "source": "Example News",
    }
]


class SearchClientDouble:
    def __init__(self, *, raises: Exception | None = None, empty: bool = False) -> None:
        self.raises = raises
        self.empty = empty
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def _answer(self, kind: str, query: str, kwargs: dict[str, Any], results):
        self.calls.append((kind, query, kwargs))
        if self.raises is not None:
            raise self.raises
        if self.empty:
            from ddgs.exceptions import DDGSException

            raise DDGSException("No results found.")  # what ddgs raises when all are empty
        return [dict(r) for r in results[: kwargs.get("max_results") or 10]]

    def text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]:
        return self._answer("text", query, kwargs, TEXT_RESULTS)

    def news(self, query: str, **kwargs: Any) -> list[dict[str, Any]]:
        return self._answer("news", query, kwargs, NEWS_RESULTS)
