"""Sign-in links, CSRF tokens and confirm tokens are signed; the offline model reads "login"
and "new api token"; the stored models never hold a secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nudge.api import deletion, links, sessions
from nudge.api.secrets import NotConfigured, digest, new_secret, sign
from nudge.llm.offline_account import describe_account, understand_account
from nudge.settings import Settings
from nudge.sms.segments import plain_sms

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings():
    return Settings(api_signing_key="k1", environment="local")


def test_a_link_checks_its_signature_and_expiry(settings):
    claims = f"abc.{int((NOW + timedelta(minutes=5)).timestamp())}"
    token = f"{claims}.{sign(settings, 'login', claims)}"
    assert links.check(settings, token, NOW) == "abc"
    with pytest.raises(links.LinkInvalid):
        links.check(settings, token, NOW + timedelta(minutes=6))
    with pytest.raises(links.LinkInvalid):
        links.check(Settings(api_signing_key="k2"), token, NOW)
    for bad in ("", "abc", "abc.xyz.sig", token.replace("abc", "abd")):
        with pytest.raises(links.LinkInvalid):
            links.check(settings, bad, NOW)


def test_signing_needs_a_key():
    with pytest.raises(NotConfigured):
        sign(Settings(), "login", "x")


def test_csrf_tokens_belong_to_one_session_and_purposes_do_not_mix(settings):
    token = sessions.csrf_token(settings, "session-a")
    assert sessions.csrf_ok(settings, "session-a", token)
    assert not sessions.csrf_ok(settings, "session-b", token)
    assert not sessions.csrf_ok(settings, "session-a", None)
    assert sign(settings, "login", "x") != sign(settings, "csrf", "x")


def test_a_confirm_token_is_for_one_account_and_expires(settings):
    token, expires = deletion.confirm_token(settings, "u1", NOW)
    assert expires == NOW + timedelta(minutes=deletion.CONFIRM_MINUTES)
    deletion.check_confirm(settings, "u1", token, NOW)
    with pytest.raises(deletion.ConfirmInvalid):
        deletion.check_confirm(settings, "u2", token, NOW)
    with pytest.raises(deletion.ConfirmInvalid):
        deletion.check_confirm(settings, "u1", token, NOW + timedelta(minutes=11))


def test_secrets_survive_sms_and_only_their_digest_is_kept():
    secret = new_secret("nudge_pat_")
    assert plain_sms(f"Your API token: {secret}") == f"Your API token: {secret}"
    assert len(digest(secret)) == 64 and secret not in digest(secret)


@pytest.mark.parametrize("text", ["login", "Login", "LOG IN", "log in!", "sign in", "my page"])
def test_the_offline_model_reads_login(text):
    assert understand_account(text).name == "sign_in_link"


@pytest.mark.parametrize("text", ["new api token", "api token please", "can i get an api key"])
def test_the_offline_model_reads_a_token_request(text):
    assert understand_account(text).name == "new_api_token"


@pytest.mark.parametrize("text", ["login to the bank website", "log in to netflix later"])
def test_login_inside_a_task_is_not_a_command(text):
    assert understand_account(text) is None


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("delete my account", "delete_account"),
        ("please close my Nudge account", "delete_account"),
        ("delete everything you know about me", "delete_account"),
        ("export my data", "export"),
        ("can I download all my data?", "export"),
    ],
)
def test_deleting_or_exporting_by_text_points_to_the_page(text, purpose):
    # Never "Which task should I drop?": the page deletes (asking twice) and exports.
    call = understand_account(text)
    assert (call.name, call.args) == ("sign_in_link", {"purpose": purpose})
    reply = describe_account(
        "sign_in_link", {"ok": True, "url": "http://x/login?t=1", "minutes": 15, "purpose": purpose}
    )
    assert "http://x/login?t=1" in reply
    assert ("asks twice" in reply) == (purpose == "delete_account")


@pytest.mark.parametrize("text", ["delete my dentist task", "remove milk", "forget my dentist"])
def test_deleting_one_thing_is_not_about_the_account(text):
    assert understand_account(text) is None
