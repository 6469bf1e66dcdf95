"""One settings object, read from the environment.

Local defaults live in `emulators/local.env`; the cloud gets its values from Terraform
(plain variables) and Secret Manager (secret environment variables).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class QueueNames(BaseSettings):
    """Cloud Tasks queue names; must match `infra/queues.json` (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="NUDGE_QUEUE_")

    agent_turns: str = "agent-turns"
    reminders: str = "reminders"
    memory: str = "memory"
    integrations: str = "integrations"


class Settings(BaseSettings):
    # populate_by_name: Settings(project_id=...) works, not only the environment names.
    model_config = SettingsConfigDict(env_prefix="NUDGE_", extra="ignore", populate_by_name=True)

    # Where we run.
    project_id: str = Field(
        "nudge-local",
        validation_alias=AliasChoices("NUDGE_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"),
    )
    region: str = "us-central1"
    environment: Literal["local", "cloud"] = "cloud"

    # Emulators: the Google clients read FIRESTORE_EMULATOR_HOST themselves; the tasks
    # client is pointed at CLOUD_TASKS_EMULATOR_HOST by us.
    firestore_emulator_host: str | None = Field(
        None, validation_alias=AliasChoices("FIRESTORE_EMULATOR_HOST")
    )
    cloud_tasks_emulator_host: str | None = Field(
        None, validation_alias=AliasChoices("CLOUD_TASKS_EMULATOR_HOST")
    )
    firestore_database: str = "(default)"

    # How functions reach each other. `function_urls` (JSON object, name -> URL) wins over
    # the template, which fits deployed Cloud Functions (gen2 keeps the cloudfunctions.net URL).
    function_urls: dict[str, str] = {}
    function_url_template: str = "https://{region}-{project}.cloudfunctions.net/{name}"
    public_base_url: str = "http://127.0.0.1:8701"

    # Queue callers: an OIDC token from this service account in the cloud; a shared secret
    # header locally (task_auth = "secret").
    task_auth: Literal["oidc", "secret"] = "oidc"
    task_secret: SecretStr | None = None
    task_invoker_service_account: str | None = None
    # Terraform sets this only on private functions, where Cloud Run's invoker IAM check and
    # internal-only ingress stand in front: there a token whose signature Google stripped was
    # verified by the platform. Never on a public function (anyone can forge that form).
    callers_verified_by_platform: bool = False
    queues: QueueNames = Field(default_factory=QueueNames)

    # Twilio.
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_status_callback_url: str | None = None
    # Texts from numbers we do not know: refuse politely, or welcome and onboard.
    unknown_sender_policy: Literal["invite-only", "open"] = "invite-only"

    # The conversation loop. A text's turn starts at once; its reply waits until
    # `burst_settle_seconds` after the text arrived, or `burst_follow_on_settle_seconds` when
    # more texts are likely (a burst under way, an unfinished-looking text: see
    # `conversation.bursts`), so quick follow-up texts join one reply. The short window keeps a
    # lone text's reply under 700 ms; the prompt is kept within `context_token_budget`.
    burst_settle_seconds: float = 0.6
    burst_follow_on_settle_seconds: float = 2.0
    # One live turn per user: its lease outlives the agent_turn function's timeout (120 s in
    # infra/functions.json), so a live turn is never taken over.
    turn_lease_seconds: float = 150.0
    # The unanswered-text sweep: a text still unanswered this long (and no live turn) is
    # re-driven, at most `max_redrives` times; one older than `late_reply_after_seconds` is
    # answered with an apology for the wait.
    unanswered_sweep_after_seconds: float = 60.0
    late_reply_after_seconds: float = 600.0
    max_redrives: int = 5
    recent_message_count: int = 20
    context_token_budget: int = 6000
    max_tool_iterations: int = 5
    # Tokens a user's proactive messages (briefing, check-in) may spend on the LLM per day;
    # over it, or offline, they go out as composed by code. An idle user costs nothing.
    proactive_token_budget: int = 3000
    gemini_timeout_seconds: float = 20.0
    gemini_attempts: int = 3

    # LLM and embeddings.
    gemini_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("NUDGE_GEMINI_API_KEY", "GEMINI_API_KEY")
    )
    gemini_model: str = "gemini-2.5-flash"
    embedding_model: str = "wordllama"
    # Must equal the dimension of the Firestore vector index declared in infra/.
    embedding_dimension: int = 256
    # How recall finds a user's nearest memories: Firestore `find_nearest` (the vector index in
    # the cloud), or a per-process copy of the user's embeddings (the local stack: the
    # emulator's `find_nearest` scans every vector).
    memory_vector_search: Literal["find_nearest", "in_process"] = "find_nearest"

    # Background integrations (the `integrations` queue). `integration_max_attempts` must equal
    # that queue's max_attempts in infra/queues.json (a test checks): the delivery numbered
    # max_attempts - 1 is the last one, and it ends the task `failed` with one SMS. A running
    # task older than `integration_stale_after_seconds` (the functions' 300 s timeout, plus
    # margin) belongs to a dead process and is taken over by a duplicate delivery.
    integration_max_attempts: int = 5
    integration_stale_after_seconds: float = 330.0
    # A result waits at most this long for the reply of the turn that asked for it ("On it").
    integration_reply_wait_seconds: float = 20.0
    # YouTube Data API v3 key (Secret Manager `youtube-api-key`); without it, locally, a
    # YouTube link gets "YouTube isn't set up" at once.
    youtube_api_key: SecretStr | None = None
    # Transcript languages in order of preference (youtube-transcript-api `languages`).
    youtube_transcript_languages: list[str] = ["en", "en-US", "en-GB"]
    # YouTube blocks many cloud IPs for transcripts: youtube-transcript-api's GenericProxyConfig
    # (an HTTP(S) proxy URL, e.g. a residential proxy) is used when set.
    youtube_proxy_url: str | None = None
    # Notion, for one person (an internal integration token, Secret Manager `notion-token`),
    # who is `notion_owner` (their phone, E.164): "link notion" from them links it, optionally
    # straight to this data source (API 2025-09-03), its title property named so.
    notion_token: SecretStr | None = None
    notion_owner: str | None = None
    notion_data_source_id: str | None = None
    notion_title_property: str = "Name"
    # Notion, for everyone: a public integration (OAuth); the secret is in Secret Manager
    # `notion-client-secret`. The redirect URI defaults to the oauth function's URL +
    # /notion/callback (register exactly this in the integration's OAuth settings).
    notion_client_id: str | None = None
    notion_client_secret: SecretStr | None = None
    notion_redirect_uri: str | None = None
    notion_timeout_seconds: float = 15.0
    # Web search (ddgs): region code and how many results are read.
    web_search_region: str = "us-en"
    web_search_max_results: int = 5

    default_timezone: str = "America/New_York"
    # Raw messages expire (Firestore TTL) this long after consolidation into memory.
    message_retention_days: int = 90
    # Besides the nightly run, consolidate a user's memory after every Nth turn (0: never).
    consolidate_every_turns: int = 20
    log_level: str = "INFO"

    # Calendars and Microsoft 365 (README "Calendar").
    # Secrets at rest: "key-id:base64-key[,older-id:key...]" (first encrypts; all decrypt).
    token_encryption_key: SecretStr | None = None
    # How far ahead events are synced, and the window "block 2 hours" searches.
    calendar_sync_days: int = 21
    calendar_fetch_timeout_seconds: float = 20.0
    calendar_max_ics_bytes: int = 5 * 1024 * 1024
    # Private ICS links may point at loopback/private addresses only locally (the sample
    # calendar); in the cloud that would let a text make us fetch internal endpoints.
    calendar_allow_private_urls: bool = False
    # A time box keeps this many minutes free on each side of an existing event.
    timebox_buffer_minutes: int = 10
    # A proposed time box waits this long for "yes".
    timebox_proposal_minutes: int = 30
    # Microsoft identity platform (an app registration; README "Calendar").
    microsoft_client_id: str | None = None
    microsoft_client_secret: SecretStr | None = None
    microsoft_authority: str = "https://login.microsoftonline.com/common"
    microsoft_graph_url: str = "https://graph.microsoft.com/v1.0"
    # Default: the oauth function's URL + /callback (register exactly this in Azure).
    microsoft_redirect_uri: str | None = None
    # The signed "connect outlook" link and the auth code flow state live this long.
    oauth_link_minutes: int = 15

    # The `api` function and its page (README "Your data: the API and the page").
    # Where the texted sign-in link points; unset: the api function's URL (`page_url`).
    api_base_url: str | None = None
    # Signs sign-in links and derives CSRF tokens (Secret Manager `api-signing-key`).
    api_signing_key: SecretStr | None = None
    login_link_minutes: int = 15
    session_days: int = 30
    # Rate limits (fixed windows, counted in Firestore so they hold across instances).
    sign_in_per_10_minutes: int = 10
    api_requests_per_minute: int = 120
    chat_per_minute: int = 20

    @field_validator("function_urls", mode="before")
    @classmethod
    def _parse_json_map(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @property
    def is_local(self) -> bool:
        return self.environment == "local"

    @property
    def page_url(self) -> str:
        """The page and API's base URL, without a trailing slash."""
        if self.api_base_url:
            return self.api_base_url.rstrip("/")
        if "api" in self.function_urls or not self.is_local:
            return self.function_url("api").rstrip("/")
        return "http://127.0.0.1:8709"

    def function_url(self, name: str) -> str:
        """Public URL of a deployed function by its directory name under `functions/`."""
        if name in self.function_urls:
            return self.function_urls[name]
        return self.function_url_template.format(
            region=self.region, project=self.project_id, name=name
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache when they change the environment."""
    return Settings()
