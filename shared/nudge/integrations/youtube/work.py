"""The youtube function's work: details, transcript, a summary for SMS, kept as a note."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from google.api_core.exceptions import Conflict

from nudge.integrations.models import AITask, AITaskResult, Source
from nudge.integrations.summary import summarize
from nudge.integrations.worker import CannotDo, WorkerDeps
from nudge.integrations.youtube.metadata import VideoInfo, fetch_video_info
from nudge.integrations.youtube.transcript import fetch_transcript
from nudge.integrations.youtube_links import watch_url
from nudge.memory.text import keywords
from nudge.models import Memory, MemoryType, Note, User
from nudge.notes.capture import save_note

log = logging.getLogger("nudge.integrations")

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
        settings,
        what="a YouTube video transcript",
        source=watch_url(video_id),
        content=transcript,
        gemini_http=deps.gemini_http,
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
    memory_id = remember_video(
        deps, user.id or "", info, summary.points, doc_id=f"youtube-{task.id}"
    )
    return AITaskResult(
        text=sms_text(info, summary.points),
        sources=[Source(title=info.title, url=watch_url(video_id))],
        note_id=note.id,
        memory_id=memory_id,
        data={"summary_by": summary.by, "title": info.title, "channel": info.channel},
    )


def remember_video(
    deps: WorkerDeps, user_id: str, info: VideoInfo, points: list[str], *, doc_id: str
) -> str:
    """A memory of the video, so "what was that video about sleep?" is recalled later. Its
    embedding is best effort: without one, the lexical recall path still finds it."""
    content = f'Sent me the YouTube video "{info.title}"' + (
        f" by {info.channel}" if info.channel else ""
    )
    content += ": " + " ".join(points)
    content = content[:1000]
    tags = ["youtube", "video"]
    try:
        from nudge.embeddings import default_embedder

        embedding = default_embedder().embed_documents([content])[0]
    except Exception as exc:  # a missing embedder must not lose the summary
        log.warning("video memory kept without an embedding (%s)", type(exc).__name__)
        embedding = None
    memory = Memory(
        content=content,
        memory_type=MemoryType.event,
        category="video",
        tags=tags,
        keywords=keywords(content, tags=tags),
        importance=0.5,
        embedding=embedding,
    )
    with contextlib.suppress(Conflict):  # kept by an earlier attempt
        deps.store.memories.add(user_id, memory, doc_id=doc_id)
    return doc_id


def sms_text(info: VideoInfo, points: list[str]) -> str:
    about = ", ".join(part for part in (info.channel, info.duration_text) if part)
    head = f'"{info.title}"' + (f" ({about})" if about else "")
    lines = "\n".join(f"{i}. {point}" for i, point in enumerate(points, 1))
    return f"{head}, 3 things worth remembering:\n{lines}\nSaved as a note."
