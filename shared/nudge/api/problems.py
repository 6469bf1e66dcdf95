"""Errors as problem details (RFC 9457): `application/problem+json`."""

from __future__ import annotations

from http import HTTPStatus

from pydantic import BaseModel, Field

PROBLEM_TYPE = "about:blank"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="dotted path of the field, or 'body'")
    message: str


class ProblemDetails(BaseModel):
    type: str = PROBLEM_TYPE
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


class Problem(Exception):
    """Raised anywhere under a route: answered as problem+json with `status`."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    def details(self, instance: str | None = None) -> ProblemDetails:
        return ProblemDetails(
            title=HTTPStatus(self.status).phrase,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )


def from_validation(exc, where: str = "body") -> Problem:
    """A pydantic ValidationError as a 400, naming fields (never echoing values)."""
    errors = [
        FieldProblem(field=".".join(map(str, e["loc"])) or where, message=e["msg"])
        for e in exc.errors(include_input=False, include_url=False)
    ]
    return Problem(400, f"the {where} is not valid", errors=errors[:20])
