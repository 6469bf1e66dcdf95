"""sms_webhook's checks, against the real emulators; signatures from twilio's own validator."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import functions_framework
import pytest
from twilio.request_validator import RequestValidator

from emulators import stack
from tests.conftest import clear_caches

PUBLIC_URL = "https://us-central1-nudge-test.cloudfunctions.net/sms_webhook"


@pytest.fixture
def webhook(task_queue, monkeypatch):
    monkeypatch.setenv("NUDGE_PUBLIC_BASE_URL", PUBLIC_URL)
    # No agent_turn is served here: the enqueued task is what these tests look at.
    monkeypatch.setenv("NUDGE_FUNCTION_URLS", '{"agent_turn": "http://127.0.0.1:9/"}')
    clear_caches()
    source = stack.FUNCTIONS_DIR / "sms_webhook" / "main.py"
    return functions_framework.create_app(target="sms_webhook", source=str(source)).test_client()


def form(**overrides):
    values = {
        "MessageSid": "SM" + "a" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "+15555550100",
        "To": "+15550001111",
        "Body": "todo: call the dentist",
        "NumMedia": "0",
    }
    return {k: v for k, v in (values | overrides).items() if v is not None}


def sign(settings, url: str, data: dict) -> str:
    token = settings.twilio_auth_token.get_secret_value()
    return RequestValidator(token).compute_signature(url, data)


def post(client, data, signature, query=""):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post("/" + query, data=data, headers=headers)


def stored_inbound(store, phone="+15555550100"):
    user = store.users.find_by_phone(phone)
    return store.messages.list(user.id) if user else []


def test_valid_signature_stores_the_message_and_answers_empty_twiml(webhook, settings, store):
    data = form(
        NumMedia="1", MediaUrl0="https://api.twilio.com/media/1", MediaContentType0="image/jpeg"
    )
    response = post(webhook, data, sign(settings, PUBLIC_URL, data))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert b"<Message>" not in response.data
    [message] = stored_inbound(store)
    assert message.body == "todo: call the dentist"
    assert message.id == data["MessageSid"]
    assert message.media_urls == ["https://api.twilio.com/media/1"]
    assert message.media_types == ["image/jpeg"]


def test_the_public_url_is_signed_not_the_url_the_proxy_forwarded(webhook, settings, store):
    data = form()
    # Cloud Run hands the request over plain HTTP on an internal host: a signature over that
    # URL is not what Twilio sends.
    internal = sign(settings, "http://localhost/", data)
    assert post(webhook, data, internal).status_code == 403
    assert post(webhook, data, sign(settings, PUBLIC_URL, data)).status_code == 200


def test_query_string_is_part_of_the_signed_url(webhook, settings):
    data = form()
    signed = sign(settings, PUBLIC_URL + "?tenant=a", data)
    assert post(webhook, data, signed, query="?tenant=a").status_code == 200
    assert (
        post(webhook, form(MessageSid="SM" + "b" * 32), signed, query="?tenant=b").status_code
        == 403
    )


@pytest.mark.parametrize(
    "signature", [None, "", "bm90IGEgc2lnbmF0dXJl"], ids=["missing", "empty", "wrong"]
)
def test_missing_or_wrong_signature_is_403_and_nothing_is_stored(webhook, store, signature):
    response = post(webhook, form(), signature)
    assert response.status_code == 403
    assert store.users.list_ids() == []
    # Not even a dedup marker: a real delivery of this MessageSid must still get through.
    assert store.dedup.claim("twilio-message", "SM" + "a" * 32) is True


def test_a_tampered_body_fails_the_signature(webhook, settings, store):
    data = form()
    signature = sign(settings, PUBLIC_URL, data)
    assert post(webhook, form(Body="todo: wire money"), signature).status_code == 403
    assert store.users.list_ids() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"From": None},
        {"MessageSid": None},
        {"From": "5555550100"},
        {"To": "not-a-number"},
        {"MessageSid": "SM../../x"},
        {"NumMedia": "many"},
    ],
    ids=["no-from", "no-sid", "from-not-e164", "to-not-e164", "sid-with-slashes", "bad-num-media"],
)
def test_malformed_forms_are_400_with_a_clear_error(webhook, settings, store, overrides):
    data = form(**overrides)
    response = post(webhook, data, sign(settings, PUBLIC_URL, data))
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert store.users.list_ids() == []


def test_an_oversized_body_is_413(webhook, settings):
    data = form(Body="x" * 70_000)
    assert post(webhook, data, sign(settings, PUBLIC_URL, data)).status_code == 413


def test_only_post_is_accepted(webhook):
    assert webhook.get("/").status_code == 405


def test_duplicate_delivery_is_acknowledged_and_enqueues_nothing_more(webhook, settings, store):
    data = form()
    signature = sign(settings, PUBLIC_URL, data)
    assert post(webhook, data, signature).status_code == 200
    assert post(webhook, data, signature).status_code == 200
    assert len(stored_inbound(store)) == 1


def test_a_dedicated_number_routes_by_to(webhook, settings, store):
    from nudge.models import User

    shared_user = store.users.create(User(phone="+15555550100", name="Shared"))
    dedicated = store.users.create(User(phone="+15555550101", name="Dedicated"))
    store.users.assign_assistant_number(dedicated.id, "+15550002222")
    data = form(From="+15555550101", To="+15550002222")
    assert post(webhook, data, sign(settings, PUBLIC_URL, data)).status_code == 200
    assert [m.body for m in store.messages.list(dedicated.id)] == ["todo: call the dentist"]
    assert store.messages.list(shared_user.id) == []
    # Someone else texting the dedicated number is routed by their own phone, not to its owner.
    data = form(MessageSid="SM" + "c" * 32, From="+15555550100", To="+15550002222")
    assert post(webhook, data, sign(settings, PUBLIC_URL, data)).status_code == 200
    assert len(store.messages.list(shared_user.id)) == 1
    assert len(store.messages.list(dedicated.id)) == 1


def test_a_failed_enqueue_releases_the_sid_so_a_retry_is_processed(
    webhook, settings, store, monkeypatch
):
    from google.api_core.exceptions import ServiceUnavailable

    from nudge.queue.client import TaskQueue

    data = form()
    signature = sign(settings, PUBLIC_URL, data)

    def broken(*_args, **_kwargs):
        raise ServiceUnavailable("queue down")

    monkeypatch.setattr(TaskQueue, "enqueue", broken)
    assert post(webhook, data, signature).status_code == 503
    monkeypatch.undo()
    monkeypatch.setenv("NUDGE_PUBLIC_BASE_URL", PUBLIC_URL)
    monkeypatch.setenv("NUDGE_FUNCTION_URLS", '{"agent_turn": "http://127.0.0.1:9/"}')
    clear_caches()
    assert post(webhook, data, signature).status_code == 200
    assert len(stored_inbound(store)) == 1


@pytest.mark.parametrize(
    ("configured", "signed"),
    [
        (PUBLIC_URL, PUBLIC_URL + "/"),
        (PUBLIC_URL + "/", PUBLIC_URL),
        (PUBLIC_URL, PUBLIC_URL),
        (PUBLIC_URL + "/", PUBLIC_URL + "/"),
        ("http://127.0.0.1:8701", "http://127.0.0.1:8701/"),
        ("http://127.0.0.1:8701/", "http://127.0.0.1:8701"),
    ],
    ids=["slash-signed", "slash-configured", "neither", "both", "local-slash-signed", "local-bare"],
)
def test_the_url_twilio_signed_may_differ_by_a_trailing_slash(
    webhook, settings, store, monkeypatch, configured, signed
):
    """Twilio signs whatever was pasted into its console; README lists the local webhook as
    http://127.0.0.1:8701/ while NUDGE_PUBLIC_BASE_URL has no slash."""
    monkeypatch.setenv("NUDGE_PUBLIC_BASE_URL", configured)
    clear_caches()
    data = form()
    assert post(webhook, data, sign(settings, signed, data)).status_code == 200
    assert len(stored_inbound(store)) == 1


def test_the_slash_variant_keeps_the_query_string(webhook, settings):
    data = form()
    signed = sign(settings, PUBLIC_URL + "/?tenant=a", data)
    assert post(webhook, data, signed, query="?tenant=a").status_code == 200
    other = form(MessageSid="SM" + "d" * 32)
    assert post(webhook, other, sign(settings, PUBLIC_URL + "/", other), "?x=1").status_code == 403


def test_a_failed_signature_logs_the_urls_checked_without_secrets(
    webhook, settings, monkeypatch, caplog
):
    monkeypatch.setenv("NUDGE_PUBLIC_BASE_URL", "https://ops:hunter2@example.test/sms_webhook")
    clear_caches()
    data = form(Body="my bank pin is 4321")
    signature = sign(settings, "https://elsewhere.test/sms_webhook", data)
    with caplog.at_level("WARNING", logger="nudge"):
        response = post(webhook, data, signature, query="?token=abc123")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "nudge.sms.webhook"]
    assert record.levelname == "WARNING"
    line = record.getMessage()
    assert "https://example.test/sms_webhook?token=..." in line
    assert "https://example.test/sms_webhook/?token=..." in line
    token = settings.twilio_auth_token.get_secret_value()
    for secret in (token, signature, "hunter2", "abc123", "4321", data["From"]):
        assert secret not in line


def test_a_missing_signature_is_logged_with_its_reason(webhook, caplog):
    with caplog.at_level("WARNING", logger="nudge"):
        assert post(webhook, form(), None).status_code == 403
    [record] = [r for r in caplog.records if r.name == "nudge.sms.webhook"]
    assert "no X-Twilio-Signature" in record.getMessage()
    assert PUBLIC_URL in record.getMessage()


def test_racing_first_deliveries_welcome_the_new_user_once(webhook, settings, store, caplog):
    """Twilio may deliver a new number's first text several times at once: one user is created
    (the phone index is claimed with create()), and only that delivery logs the welcome."""
    data = form(From="+15555550177")
    signature = sign(settings, PUBLIC_URL, data)
    deliveries = 5
    barrier = threading.Barrier(deliveries)

    def deliver(_):
        client = webhook.application.test_client()
        barrier.wait()
        return post(client, data, signature).status_code

    with caplog.at_level("INFO", logger="nudge"), ThreadPoolExecutor(deliveries) as pool:
        statuses = list(pool.map(deliver, range(deliveries)))
    assert statuses == [200] * deliveries
    assert len(store.users.list_ids()) == 1
    assert len(stored_inbound(store, "+15555550177")) == 1
    welcomes = [r for r in caplog.records if r.getMessage().startswith("welcomed new user")]
    assert len(welcomes) == 1


def test_create_or_get_tells_the_creator_from_the_racer(store):
    from nudge.models import User

    first, created = store.users.create_or_get(User(phone="+15555550188"))
    again, created_again = store.users.create_or_get(User(phone="+15555550188"))
    assert (created, created_again) == (True, False)
    assert again.id == first.id
