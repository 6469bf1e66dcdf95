"""Twilio REST `messages.create` through the official SDK, answered at its HTTP client."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

import requests
from requests.adapters import HTTPAdapter
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from nudge.logs import configure_logging
from nudge.settings import Settings
from nudge.sms.senders import TwilioSender

ACCOUNT = "AC" + "1" * 32


class RecordingTwilioHttp(HttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False)
        self.calls = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **_kwargs):
        self.calls.append({"method": method, "url": url, "data": data, "auth": auth})
        sid = "SM" + "f" * 32
        # Shaped like Twilio's documented Message resource.
        body = {
            "sid": sid,
            "account_sid": ACCOUNT,
            "to": data["To"],
            "from": data["From"],
            "body": data["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Mon, 23 Nov 2026 15:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json",
        }
        return Response(201, json.dumps(body))


def test_send_posts_to_the_messages_resource():
    http = RecordingTwilioHttp()
    settings = Settings(
        twilio_account_sid=ACCOUNT,
        twilio_auth_token="secret-token",
        twilio_status_callback_url="https://example.test/status",
    )
    sender = TwilioSender(settings, http_client=http)
    sid = sender.send(to="+15555550100", from_="+15550001111", body="Time to stretch")
    assert sid == "SM" + "f" * 32
    [call] = http.calls
    assert call["method"] == "POST"
    assert call["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert call["data"]["To"] == "+15555550100"
    assert call["data"]["From"] == "+15550001111"
    assert call["data"]["Body"] == "Time to stretch"
    assert call["data"]["StatusCallback"] == "https://example.test/status"
    assert call["auth"] == (ACCOUNT, "secret-token")


class CannedTwilioAdapter(HTTPAdapter):
    """Answers at the requests transport, below twilio's own HTTP client (which logs)."""

    def send(self, request, **_kwargs):
        fields = dict(parse_qsl(request.body))
        response = requests.Response()
        response.status_code = 201
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(
            {
                "sid": "SM" + "e" * 32,
                "account_sid": ACCOUNT,
                "to": fields["To"],
                "from": fields["From"],
                "body": fields["Body"],
                "status": "queued",
                "num_segments": "1",
            }
        ).encode()
        response.url = request.url
        response.request = request
        return response


def test_twilios_http_client_does_not_log_each_request_at_info(caplog):
    configure_logging()
    http = TwilioHttpClient()
    http.session.mount("https://", CannedTwilioAdapter())
    sender = TwilioSender(
        Settings(twilio_account_sid=ACCOUNT, twilio_auth_token="secret-token"), http_client=http
    )
    with caplog.at_level(logging.DEBUG):
        sid = sender.send(to="+15555550100", from_="+15550001111", body="Time to stretch")
    assert sid == "SM" + "e" * 32
    assert [r for r in caplog.records if r.name.startswith("twilio")] == []
    assert ACCOUNT not in caplog.text
    # Its warnings and errors still get through.
    assert logging.getLogger("twilio.http_client").isEnabledFor(logging.WARNING)
