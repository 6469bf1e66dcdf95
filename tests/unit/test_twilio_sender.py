"""Twilio REST `messages.create` through the official SDK, answered at its HTTP client."""

from __future__ import annotations

import json
import logging

from twilio.http import HttpClient
from twilio.http.response import Response

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
