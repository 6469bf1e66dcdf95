"""GET /v1/openapi.json: the document generated from these routes."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from nudge.api.router import router


class OpenApiDocument(RootModel[dict[str, Any]]):
    pass


@router.route("GET", "/v1/openapi.json", tag="meta", response=OpenApiDocument, authenticated=False)
def openapi_document(deps) -> OpenApiDocument:
    """The OpenAPI 3.1 document of this API."""
    from nudge.api.openapi import document

    return OpenApiDocument(document(deps.settings.page_url))
