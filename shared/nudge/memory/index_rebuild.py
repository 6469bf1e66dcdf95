"""A user's memory index, rebuilt in the background when it is missing or of an older version.

Recall never builds the index (at 10,000 memories it reads every memory with its embedding:
16-39 s, which a person's reply would wait on). A recall that finds the index not current
asks for one rebuild of the user on the `memory` queue (`memory_consolidation`'s
"rebuild_index" action) and answers from what there is; the nightly consolidation rebuilds
first too, so nothing waits on the person writing.

The task's name is the user and the index VERSION: Cloud Tasks refuses a second task of that
name, so concurrent turns in different processes enqueue it once, and a process remembers
what it asked (for REQUEST_AGAIN_AFTER) so its later recalls do not call the queue again.
"""

from __future__ import annotations

import logging
import threading
import time

from nudge.settings import Settings
from nudge.store import Store
from nudge.store.memory_terms import VERSION

log = logging.getLogger("nudge.memory")

ACTION = "rebuild_index"
# A recall's enqueue gives up after this long: a turn does not wait on a slow queue.
ENQUEUE_TIMEOUT_S = 3.0
# About how long Cloud Tasks refuses a task name again after its task ran (or gave up): a
# process asks again after that, in case the rebuild failed for good.
REQUEST_AGAIN_AFTER_S = 3600.0

_requested: dict[tuple[str, str, str], float] = {}
_requested_lock = threading.Lock()


def task_name(user_id: str) -> str:
    return f"memory-index-{user_id}-v{VERSION}"


def request_rebuild(queue, settings: Settings, user_id: str) -> bool:
    """Enqueue the user's rebuild, unless this process already did; never raises (a queue
    failure is logged, and a later recall asks again). True if a task was sent (or was
    there already)."""
    key = (settings.project_id, settings.queues.memory, task_name(user_id))
    now = time.monotonic()
    with _requested_lock:
        asked = _requested.get(key)
        if asked is not None and now - asked < REQUEST_AGAIN_AFTER_S:
            return False
        _requested[key] = now  # a concurrent recall in this process does not ask too
    try:
        queue.enqueue(
            settings.queues.memory,
            "memory_consolidation",
            {"action": ACTION, "user_id": user_id},
            task_name=task_name(user_id),
            timeout=ENQUEUE_TIMEOUT_S,
        )
    except Exception:  # the turn goes on without its rebuild: a later recall asks again
        with _requested_lock:
            if _requested.get(key) == now:
                del _requested[key]
        log.warning("could not enqueue the memory index rebuild of user %s", user_id, exc_info=True)
        return False
    log.info("enqueued the memory index rebuild of user %s (version %d)", user_id, VERSION)
    return True


def rebuild_if_stale(store: Store, user_id: str) -> int | None:
    """Build the user's index unless it is current: how many memories it indexed, or None
    when there was nothing to do (already current, as after a redelivered task, or no such
    user any more: no index is written for a deleted account). Idempotent."""
    version = store.memories.terms.built_version(user_id)
    if version is not None and version >= VERSION:
        return None
    if store.users.get(user_id) is None:
        log.info("no memory index rebuild for user %s: no such user", user_id)
        return None
    started = time.perf_counter()
    indexed = store.memories.rebuild_terms(user_id)
    log.info(
        "rebuilt the memory index of user %s from version %s: %d memories in %.1f s",
        user_id,
        version,
        indexed,
        time.perf_counter() - started,
    )
    return indexed
