"""The youtube function's work: details, transcript, a summary for SMS, kept as a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nudge.integrations.models import AITask, AITaskResult, Source
from nudge.integrations.summary import summarize
from nudge.integrations.worker import CannotDo, WorkerDeps
from nudge.integrations.youtube.metadata import VideoInfo, fetch_video_info
from nudge.integrations.youtube.transcript import fetch_transcript
from nudge.integrations.youtube_links import watch_url
from nudge.models import Note, User
from nudge.notes.capture import save_note

NOT_SET_UP = (
    "YouTube isn't set up here yet (no YouTube API key), so I can't summarize videos. "
    'The link is safe with you: text "note: " and the link to keep it.'
)


@dataclass
class YouTubeHttp:
    """The HTTP clients the two YouTube libraries use; None means their own defaults."""

    data_api: Any = None  # an httplib2.Http (googleapiclient)
    transcripts: Any = None  # a requests.Session (youtube-transcript-api)


def default_youtube_http() -> YouTubeHttp:
    return YouTubeHttp()


def summarize_video(deps: WorkerDeps, task: AITask, user: User, http: YouTubeHttp) -> AITaskResult:
    settings = deps.settings
    if settings.youtube_api_key is None:
        raise CannotDo(NOT_SET_UP, "no youtube api key")
    video_id = task.parameters["video_id"]
    info = fetch_video_info(
        video_id, api_key=settings.youtube_api_key.get_secret_value(), http=http.data_api
    )
    try:
        transcript = fetch_transcript(
            video_id,
            languages=settings.youtube_transcript_languages,
            session=http.transcripts,
            proxy_url=settings.youtube_proxy_url,
        )
    except CannotDo as exc:
        raise CannotDo(f'"{info.title}": {exc.message}', exc.reason) from None
    summary = summarize(
        settings, what="a YouTube video transcript", source=watch_url(video_id), content=transcript
    )
    if not summary.points:
        raise CannotDo(f'"{info.title}" has an empty transcript; nothing to summarize.', "empty")
    note, _ = save_note(
        deps.store,
        user.id or "",
        Note(
            title=info.title,
            body=transcript[:20_000],
            summary="\n".join(f"- {p}" for p in summary.points),
            tags=["youtube", "video"],
            category="video",
            source_url=watch_url(video_id),
            external_source="youtube",
            external_id=video_id,
            untrusted=True,
        ),
        doc_id=f"youtube-{task.id}",
    )
    return AITaskResult(
        text=sms_text(info, summary.points),
        sources=[Source(title=info.title, url=watch_url(video_id))],
        note_id=note.id,
        data={"summary_by": summary.by, "title": info.title, "channel": info.channel},
    )


def sms_text(info: VideoInfo, points: list[str]) -> str:
    about = ", ".join(part for part in (info.channel, info.duration_text) if part)
    head = f'"{info.title}"' + (f" ({about})" if about else "")
    lines = "\n".join(f"{i}. {point}" for i, point in enumerate(points, 1))
    return f"{head}, 3 things worth remembering:\n{lines}\nSaved as a note."
