"""Export everything, and delete the account (confirmed twice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from nudge.api.context import ApiContext
from nudge.api.problems import Problem
from nudge.api.router import router

CSV = "text/csv"


class ExportDocument(RootModel[dict[str, Any]]):
    """format, exported_at, user, collections (every collection under you, by name), left_out."""


def _download(body: str, media_type: str, filename: str):
    import flask

    response = flask.Response(body, 200, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@router.route("GET", "/v1/export", tag="account", response=ExportDocument)
def export_everything(ctx: ApiContext):
    """Everything Nudge keeps about you, as one JSON document (no embeddings or secrets)."""
    import json

    from nudge.api.export import export_user

    document = export_user(ctx.store, ctx.user_id, ctx.now)
    return _download(json.dumps(document, indent=1), "application/json", "nudge-export.json")


@router.route("GET", "/v1/export/tasks.csv", tag="account", response=ExportDocument, media_type=CSV)
def export_tasks_csv(ctx: ApiContext):
    """Your tasks as CSV (every status, steps included)."""
    from nudge.api.export import tasks_csv

    return _download(tasks_csv(ctx.store, ctx.user_id), CSV, "nudge-tasks.csv")


@router.route(
    "GET", "/v1/export/expenses.csv", tag="account", response=ExportDocument, media_type=CSV
)
def export_expenses_csv(ctx: ApiContext):
    """Your logged expenses as CSV (amounts exact, in their currency)."""
    from nudge.api.export import expenses_csv

    return _download(expenses_csv(ctx.store, ctx.user_id), CSV, "nudge-expenses.csv")


class DeleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm_token: str | None = Field(
        None, max_length=200, description="from the first call; omit it to get one"
    )


class DeleteAnswer(BaseModel):
    deleted: bool
    confirm_token: str | None = None
    confirm_before: datetime | None = None
    message: str


@router.route(
    "POST", "/v1/account/delete", tag="account", body=DeleteRequest, response=DeleteAnswer
)
def delete_account(ctx: ApiContext, body: DeleteRequest) -> DeleteAnswer:
    """Delete your account and everything in it. Call once for a confirm token, then again
    with it (within 10 minutes). You get one last text; nothing of yours is kept."""
    from nudge.api import deletion

    if body.confirm_token is None:
        token, expires = deletion.confirm_token(ctx.settings, ctx.user_id, ctx.now)
        return DeleteAnswer(
            deleted=False,
            confirm_token=token,
            confirm_before=expires,
            message="Send this confirm_token back to delete everything.",
        )
    try:
        deletion.check_confirm(ctx.settings, ctx.user_id, body.confirm_token, ctx.now)
    except deletion.ConfirmInvalid as exc:
        raise Problem(400, str(exc)) from None
    deletion.delete_account(ctx.store, ctx.settings, ctx.deps.sender, ctx.user, ctx.now)
    return DeleteAnswer(deleted=True, message="Deleted. Take care.")
