"""Personal API tokens: made, listed and revoked (also "new api token" by text)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nudge.api import tokens
from nudge.api.context import ApiContext
from nudge.api.problems import Problem
from nudge.api.router import router
from nudge.models.access import ApiToken


class TokenOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="the token's first characters")
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.token_id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        )


class TokenList(BaseModel):
    tokens: list[TokenOut]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("script", min_length=1, max_length=60, description="what it is for")


class NewToken(TokenOut):
    token: str = Field(description="shown once: Nudge keeps only its hash")


@router.route("GET", "/v1/tokens", tag="tokens", response=TokenList)
def list_tokens(ctx: ApiContext) -> TokenList:
    """Your personal API tokens that still work (never the secrets)."""
    return TokenList(tokens=[TokenOut.of(t) for t in tokens.listed(ctx.store, ctx.user_id)])


@router.route(
    "POST",
    "/v1/tokens",
    tag="tokens",
    body=TokenCreate,
    response=NewToken,
    status=201,
    problems=((409, "at most 20 tokens: revoke one first"),),
)
def create_token(ctx: ApiContext, body: TokenCreate) -> NewToken:
    """Make a personal API token for a script; the secret is in this answer only."""
    try:
        secret, token = tokens.create(
            ctx.store, ctx.user_id, body.name.strip() or "script", ctx.now
        )
    except tokens.TooManyTokens as exc:
        raise Problem(409, str(exc)) from None
    return NewToken(token=secret, **TokenOut.of(token).model_dump())


@router.route("DELETE", "/v1/tokens/{token_id}", tag="tokens")
def revoke_token(ctx: ApiContext, token_id: str) -> None:
    """Revoke a token: it stops working at once."""
    if not tokens.revoke(ctx.store, ctx.user_id, token_id, ctx.now):
        raise Problem(404, "no such token")
