"""Routes declared once, with their pydantic models: matched here, and the OpenAPI 3.1
document generated from the same declarations (no hand-written schema to drift)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from werkzeug.routing import Map, Rule

# Document ids in paths: what Firestore accepts and our ids look like (anything else is 404).
ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI form: /v1/tasks/{task_id}
    handler: Callable[..., Any]
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None  # None: 204 No Content
    status: int = 200
    # What a successful answer is (the CSV exports are text/csv).
    media_type: str = "application/json"
    authenticated: bool = True
    # Problems this route answers besides the ones every authenticated route may: status ->
    # when (documented in OpenAPI).
    problems: tuple[tuple[int, str], ...] = ()

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self._map: Map | None = None

    def route(self, method: str, path: str, **options: Any) -> Callable:
        def register(handler: Callable) -> Callable:
            summary = " ".join((handler.__doc__ or handler.__name__).split())
            self.routes.append(Route(method, path, handler, summary=summary, **options))
            self._map = None
            return handler

        return register

    def _rules(self) -> Map:
        if self._map is None:
            rules = [
                Rule(_PARAM.sub(r"<\1>", r.path), methods=[r.method], endpoint=i)
                for i, r in enumerate(self.routes)
            ]
            self._map = Map(rules, strict_slashes=False, merge_slashes=False)
        return self._map

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and its path parameters; raises werkzeug's NotFound/MethodNotAllowed."""
        endpoint, params = self._rules().bind("api").match(path, method=method)
        return self.routes[endpoint], params


router = Router()
