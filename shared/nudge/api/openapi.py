"""The OpenAPI 3.1 document, generated from the routes and their pydantic models."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from nudge.api.problems import PROBLEM_MEDIA_TYPE, ProblemDetails
from nudge.api.router import ID_PATTERN, Router

REF = "#/components/schemas/{model}"
SECURITY = [{"bearerAuth": []}, {"cookieAuth": []}]
PROBLEMS = {
    "400": "the request is not valid",
    "401": "not signed in, or the token is not valid",
    "403": "missing CSRF token on a cookie-authenticated write",
    "404": "no such item (or not yours)",
    "413": "body too large",
    "429": "too many requests (see Retry-After)",
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="ProblemDetails")}}},
    }


def _query_parameters(model: type[BaseModel], schema: dict[str, Any]) -> list[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in properties.items()
    ]


def build(router: Router, *, version: str, server_url: str) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], str]] = [(ProblemDetails, "serialization")]
    for route in router.routes:
        if route.body is not None:
            models.append((route.body, "validation"))
        if route.response is not None:
            models.append((route.response, "serialization"))
    keys, definitions = models_json_schema(models, ref_template=REF)
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for route in router.routes:
        operation: dict[str, Any] = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": [
                {
                    "name": p,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": ID_PATTERN},
                }
                for p in route.params
            ],
            "responses": {},
        }
        if route.query is not None:
            query_schema = route.query.model_json_schema(ref_template=REF)
            operation["parameters"] += _query_parameters(route.query, query_schema)
            schemas.update(query_schema.get("$defs", {}))
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": keys[(route.body, "validation")]}},
            }
        if route.response is None:
            operation["responses"][str(route.status)] = {"description": "done"}
        else:
            schema = keys[(route.response, "serialization")]
            if route.media_type != "application/json":
                schema = {"type": "string"}
            content = {route.media_type: {"schema": schema}}
            operation["responses"][str(route.status)] = {
                "description": route.summary,
                "content": content,
            }
        if route.authenticated:
            operation["security"] = SECURITY
            operation["responses"].update({code: _problem(d) for code, d in PROBLEMS.items()})
            operation["responses"].update({str(code): _problem(d) for code, d in route.problems})
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nudge API",
            "version": version,
            "description": "Your own Nudge data: every route is scoped to the signed-in person. "
            "Authenticate with a personal API token (Authorization: Bearer nudge_pat_...) or "
            "the page's session cookie (writes then need the X-CSRF-Token header).",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "nudge_session"},
            },
        },
    }


@lru_cache(maxsize=4)
def document(server_url: str) -> dict[str, Any]:
    from nudge import __version__
    from nudge.api import routes  # noqa: F401 - registers the routes
    from nudge.api.router import router

    return build(router, version=__version__, server_url=server_url)
