"""YouTube at the HTTP boundary: a `videos.list` response as the Data API v3 documents it, and
a requests adapter answering the three calls youtube-transcript-api 1.2 makes (the watch
page, the innertube player, the caption track)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import requests
from requests.adapters import BaseAdapter

VIDEO_ID = "dQw4w9WgXcQ"
INNERTUBE_KEY = "AIzaTestInnertubeKey_123"
CAPTION_URL = f"https://www.youtube.com/api/timedtext?v={VIDEO_ID}&lang=en&fmt=srv3"

# https://developers.google.com/youtube/v3/docs/videos/list (part=snippet,contentDetails)
VIDEOS_LIST = {
    "kind": "youtube#videoListResponse",
    "etag": "Xj1u2d3e",
    "items": [
        {
            "kind": "youtube#video",
            "etag": "Bx9k2f4h",
            "id": VIDEO_ID,
            "snippet": {
                "publishedAt": "2024-05-14T16:00:08Z",
                "channelId": "UCabcdefghijklmnopqrstuv",
                "title": "How to fall asleep faster",
                "description": "Sleep science, simply.",
                "channelTitle": "Sleep Lab",
                "categoryId": "27",
                "liveBroadcastContent": "none",
                "defaultAudioLanguage": "en",
            },
            "contentDetails": {
                "duration": "PT12M33S",
                "dimension": "2d",
                "definition": "hd",
                "caption": "true",
                "licensedContent": True,
                "contentRating": {},
                "projection": "rectangular",
            },
        }
    ],
    "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
}

CAPTIONS = [
    "Welcome back to the channel.",
    "Morning light is the strongest signal for your body clock, so get outside early.",
    "Keep the same wake time every day, even on weekends, to anchor your sleep.",
    "Caffeine lingers for hours, so stop coffee by noon if sleep is hard.",
    "I also like my new microphone.",
    "A cool dark bedroom helps sleep come faster than a warm bright one.",
    "Thanks for watching.",
]


def videos_list_json(**changes) -> str:
    return json.dumps({**VIDEOS_LIST, **changes})


def caption_xml(lines: list[str]) -> str:
    texts = "".join(
        f'<text start="{i * 4}.0" dur="4.0">{line.replace("&", "&amp;")}</text>'
        for i, line in enumerate(lines)
    )
    return f'<?xml version="1.0" encoding="utf-8" ?><transcript>{texts}</transcript>'


def player_json(scenario: str) -> dict:
    if scenario == "unavailable":
        return {"playabilityStatus": {"status": "ERROR", "reason": "This video is unavailable"}}
    if scenario == "blocked":
        return {
            "playabilityStatus": {
                "status": "LOGIN_REQUIRED",
                "reason": "Sign in to confirm you\u2019re not a bot",
            }
        }
    body: dict = {"playabilityStatus": {"status": "OK"}, "videoDetails": {"videoId": VIDEO_ID}}
    if scenario != "disabled":
        body["captions"] = {
            "playerCaptionsTracklistRenderer": {
                "captionTracks": [
                    {
                        "baseUrl": CAPTION_URL,
                        "name": {"runs": [{"text": "English (auto-generated)"}]},
                        "vssId": "a.en",
                        "languageCode": "en",
                        "kind": "asr",
                        "isTranslatable": True,
                    }
                ],
                "translationLanguages": [],
            }
        }
    return body


class YouTubeSite(BaseAdapter):
    """Answers youtube.com the way it answers youtube-transcript-api; records every request."""

    def __init__(self, scenario: str = "ok", captions: list[str] | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.captions = captions or CAPTIONS
        self.requests: list[tuple[str, str]] = []

    def send(self, request, **kwargs):
        self.requests.append((request.method, request.url))
        url = urlparse(request.url)
        if self.scenario == "rate_limited":
            return self._response(request, 429, "Too Many Requests")
        if url.path == "/watch":
            html = f'<html><script>var ytcfg = {{"INNERTUBE_API_KEY": "{INNERTUBE_KEY}"}};'
            return self._response(request, 200, html + "</script></html>")
        if url.path == "/youtubei/v1/player":
            assert parse_qs(url.query)["key"] == [INNERTUBE_KEY]
            assert json.loads(request.body)["videoId"] == VIDEO_ID
            return self._response(request, 200, json.dumps(player_json(self.scenario)))
        if url.path == "/api/timedtext":
            return self._response(request, 200, caption_xml(self.captions))
        return self._response(request, 404, "not found")

    @staticmethod
    def _response(request, status: int, body: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def session_for(site: YouTubeSite) -> requests.Session:
    session = requests.Session()
    session.mount("https://", site)
    session.mount("http://", site)
    return session


def recording_data_api(responses: list[tuple[dict, str]]):
    """googleapiclient's own HttpMockSequence, keeping the URIs it was asked for."""
    from googleapiclient.http import HttpMockSequence

    class Recording(HttpMockSequence):
        def __init__(self, iterable):
            super().__init__(iterable)
            self.calls: list[tuple[str, str]] = []

        def request(self, uri, method="GET", body=None, headers=None, *args, **kwargs):
            self.calls.append((uri, method))
            return super().request(uri, method, body, headers, *args, **kwargs)

    return Recording(responses)
