"""The transcript through youtube-transcript-api 1.x (instance API).

YouTube refuses transcript requests from many cloud IPs (RequestBlocked / IpBlocked); the
library's GenericProxyConfig routes them through a proxy (setting NUDGE_YOUTUBE_PROXY_URL).
"""

from __future__ import annotations

from typing import Any

from nudge.integrations.worker import CannotDo
from nudge.web import RetryLater


def fetch_transcript(
    video_id: str,
    *,
    languages: list[str],
    session: Any = None,
    proxy_url: str | None = None,
) -> str:
    """The transcript's text (manual captions preferred, then generated), in `languages`
    order; the library's errors become what the person is told."""
    import youtube_transcript_api as errors
    from youtube_transcript_api import YouTubeTranscriptApi
    from youtube_transcript_api.proxies import GenericProxyConfig

    proxy = GenericProxyConfig(http_url=proxy_url, https_url=proxy_url) if proxy_url else None
    api = YouTubeTranscriptApi(proxy_config=proxy, http_client=session)
    try:
        fetched = api.fetch(video_id, languages=languages)
    except errors.TranscriptsDisabled:
        raise CannotDo(
            "That video has transcripts turned off, so I can't summarize what's said in it.",
            "transcripts disabled",
        ) from None
    except errors.NoTranscriptFound:
        raise CannotDo(
            "That video has no transcript in your language, so I can't summarize it.",
            "no transcript in the preferred languages",
        ) from None
    except (errors.VideoUnavailable, errors.InvalidVideoId):
        raise CannotDo(
            "That video isn't available (private, removed or the link is off).",
            "video unavailable",
        ) from None
    except errors.AgeRestricted:
        raise CannotDo(
            "That video is age-restricted, so I can't read its transcript.", "age restricted"
        ) from None
    except errors.RequestBlocked:  # IpBlocked too: YouTube refuses this server's address
        raise RetryLater("transcript request blocked by YouTube") from None
    except errors.YouTubeRequestFailed:
        raise RetryLater("transcript request failed") from None
    except errors.CouldNotRetrieveTranscript as exc:
        raise CannotDo(
            "I couldn't get that video's transcript, so I can't summarize it.", type(exc).__name__
        ) from None
    return " ".join(snippet.text.replace("\n", " ") for snippet in fetched.snippets)
