"""Micro-steps, "what now", bad-day mode, goals and the planner, against the emulators."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudge.agent.tools import ToolContext, registry
from nudge.llm.types import FunctionCall
from nudge.models import Energy, Task, User, UserSettings, UserStatus
from nudge.planner.briefing import PlannerDeps, plan_user
from nudge.sms.senders import LocalOutbox

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def user(store):
    return store.users.create(User(phone="+15555550100", name="Sam", timezone="America/Toronto"))


@pytest.fixture
def ctx(store, settings, user, task_queue):
    return ToolContext(store=store, user=user, settings=settings, now=NOW, turn_id="t")


def call(ctx, name, **args):
    return registry.execute(FunctionCall(name=name, args=args), ctx).response


def test_offline_breakdown_has_3_to_7_timed_steps_and_smaller_replaces_them(ctx, store, user):
    store.tasks.add(user.id, Task(title="do my taxes"))
    normal = call(ctx, "break_down_task", title="taxes")
    assert 3 <= len(normal["steps"]) <= 7
    assert all(step["minutes"] >= 1 for step in normal["steps"])
    smaller = call(ctx, "break_down_task", granularity="smaller")
    assert all(step["minutes"] <= 5 for step in smaller["steps"])
    open_steps = [t for t in store.tasks.open_tasks(user.id) if t.parent_task_id]
    assert sorted(t.title for t in open_steps) == sorted(s["title"] for s in smaller["steps"])
    [parent] = [t for t in store.tasks.open_tasks(user.id) if not t.parent_task_id]
    assert parent.estimate_minutes == sum(s["minutes"] for s in smaller["steps"])


def test_model_proposed_steps_are_validated(ctx, store, user):
    store.tasks.add(user.id, Task(title="clean the kitchen"))
    two = [{"title": "clear the counter", "minutes": 5}, {"title": "wipe it", "minutes": 3}]
    assert "error" in call(ctx, "break_down_task", steps=two)
    slow = [{"title": f"step {i}", "minutes": 20} for i in range(3)]
    assert "error" in call(ctx, "break_down_task", granularity="smaller", steps=slow)
    good = [{"title": f"step {i}", "minutes": 2} for i in range(4)]
    assert call(ctx, "break_down_task", granularity="smaller", steps=good)["ok"] is True


def test_what_now_picks_one_thing_by_due_priority_time_and_energy(ctx, store, user):
    from nudge.models import ReminderOccurrence

    store.tasks.add(user.id, Task(title="write report", priority=2, estimate_minutes=90))
    store.tasks.add(user.id, Task(title="reply to Jo", priority=2, estimate_minutes=10))
    store.tasks.add(user.id, Task(title="someday: learn piano", priority=5))
    # A reminder in 30 minutes: only what fits before it.
    store.occurrences.add(user.id, ReminderOccurrence(
        user_id=user.id, reminder_id="r", text="call", due_at=NOW + timedelta(minutes=30),
        slot_at=NOW + timedelta(minutes=30)))  # fmt: skip
    assert call(ctx, "what_now")["pick"] == "reply to Jo"
    store.tasks.add(user.id, Task(title="pay rent", priority=3, due_at=NOW + timedelta(hours=5)))
    assert call(ctx, "what_now")["pick"] == "pay rent"  # due today beats everything


def test_what_now_offers_the_first_step_of_a_broken_down_task(ctx, store, user):
    store.tasks.add(user.id, Task(title="do my taxes", priority=1))
    steps = call(ctx, "break_down_task", title="taxes")["steps"]
    picked = call(ctx, "what_now")
    assert picked["pick"] == steps[0]["title"] and picked["is_step"] is True


def test_bad_day_mode_shrinks_the_list_to_three_tiny_items(ctx, store, user):
    for i in range(6):
        store.tasks.add(user.id, Task(title=f"big thing {i}", estimate_minutes=60))
    for i in range(5):
        store.tasks.add(
            user.id, Task(title=f"tiny thing {i}", estimate_minutes=5, energy=Energy.low)
        )
    assert call(ctx, "set_energy", level="bad_day")["ok"]
    listed = call(ctx, "list_tasks")["tasks"]
    assert len(listed) == 3
    assert all(t["title"].startswith("tiny") for t in listed)
    assert call(ctx, "what_now")["pick"].startswith("tiny")


def test_goals_hold_progress_and_tasks(ctx, store, user):
    health = call(ctx, "add_goal", title="get healthy", target_date="2027-06-01")
    run = call(ctx, "add_goal", title="run a 5k", parent_goal_id=health["id"])
    call(ctx, "add_task", title="buy running shoes", goal_id=run["id"])
    listed = {g["title"]: g for g in call(ctx, "list_goals")["goals"]}
    assert listed["run a 5k"]["open_tasks"] == 1
    assert listed["run a 5k"]["parent_goal_id"] == health["id"]
    assert call(ctx, "update_goal", goal_id=run["id"], progress=40)["progress"] == 40
    assert call(ctx, "update_goal", goal_id=run["id"], progress=100)["status"] == "done"
    assert [g["title"] for g in call(ctx, "list_goals")["goals"]] == ["get healthy"]
    assert "error" in call(ctx, "add_goal", title="x" * 3, parent_goal_id="nope")


# -- the planner ------------------------------------------------------------------------------


@pytest.fixture
def planner(store, settings, task_queue):
    return PlannerDeps(
        store=store, queue=task_queue, sender=LocalOutbox(store.db), settings=settings
    )


def outbox(store):
    return [d.get("body") for d in store.db.collection("local_outbox").stream()]


def local_slot(zone: str, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_morning_briefing_at_the_users_local_time_once(planner, store, user):
    store.tasks.add(user.id, Task(title="renew passport", priority=1))
    store.tasks.add(user.id, Task(title="call the bank", priority=2))
    berlin = store.users.create(User(phone="+15555550101", name="Lu", timezone="Europe/Berlin"))
    slot = local_slot("America/Toronto", 8, 30)  # the default briefing time, in Toronto
    assert plan_user(planner, user.id, slot).briefing is True
    assert (
        plan_user(planner, user.id, slot + timedelta(minutes=1)).briefing is False
    )  # repeated tick
    assert plan_user(planner, berlin.id, slot).briefing is False  # 14:30 in Berlin
    assert plan_user(planner, user.id, slot + timedelta(minutes=15)).briefing is False
    [briefing] = outbox(store)
    assert briefing.startswith("Good morning, Sam!")
    assert "Top 3: 1. renew passport 2. call the bank" in briefing
    assert "First step: renew passport" in briefing
    assert plan_user(planner, berlin.id, local_slot("Europe/Berlin", 8, 30)).briefing is True


def test_briefing_respects_quiet_hours_and_opt_out(planner, store, user):
    store.users.save_settings(
        user.id, UserSettings(morning_briefing=datetime.min.time().replace(hour=7))
    )
    report = plan_user(planner, user.id, local_slot("America/Toronto", 7))
    assert report.skipped == "quiet hours" and outbox(store) == []
    store.users.save_settings(user.id, UserSettings())
    store.users.update(user.id, status=UserStatus.opted_out)
    assert plan_user(planner, user.id, local_slot("America/Toronto", 8, 30)).briefing is False
    assert outbox(store) == []


def test_evening_checkin_is_optional(planner, store, user):
    slot = local_slot("America/Toronto", 19)
    assert plan_user(planner, user.id, slot).checkin is False
    store.users.save_settings(
        user.id, UserSettings(evening_checkin=datetime.min.time().replace(hour=19))
    )
    assert plan_user(planner, user.id, slot).checkin is True
    assert "how did today go" in outbox(store)[0]


def test_a_stalled_task_gets_one_gentle_offer(planner, store, user):
    noon = local_slot("America/Toronto", 12)
    week_ago = noon - timedelta(days=7)  # relative to the slot, not the wall clock
    store.tasks.add(
        user.id, Task(title="sort the garage", created_at=week_ago, updated_at=week_ago)
    )
    store.tasks.add(user.id, Task(title="fresh task", created_at=noon, updated_at=noon))
    assert plan_user(planner, user.id, noon).stalled_nudge is True
    assert plan_user(planner, user.id, noon + timedelta(days=1)).stalled_nudge is False
    [nudge] = outbox(store)
    assert '"sort the garage" has been waiting a while' in nudge and "break it down" in nudge
    assert "should" not in nudge.lower()  # no shaming


def test_the_cron_tick_fans_out_and_the_user_gets_a_briefing(store, settings, task_queue):
    from emulators import stack
    from emulators.cron import fire, load_jobs
    from nudge.models import utcnow
    from nudge.planner.briefing import slot_of
    from tests.conftest import clear_caches
    from tests.support.serving import serve_function

    slot = slot_of(utcnow())
    user = store.users.create(User(phone="+15555550102", name="Ada", timezone="Etc/UTC"))
    midnight = datetime.min.time()
    prefs = UserSettings(
        quiet_hours_start=midnight, quiet_hours_end=midnight, morning_briefing=slot.time()
    )
    store.users.save_settings(user.id, prefs)
    with serve_function("planner", stack.FUNCTIONS_DIR / "planner" / "main.py") as url:
        clear_caches()
        jobs = {job.name: job for job in load_jobs()}
        assert fire(jobs["planner-tick"], urls={"planner": url},
                    secret=settings.task_secret.get_secret_value()) == 200  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not outbox(store):
            time.sleep(0.2)
    assert outbox(store)[0].startswith("Good morning, Ada!")


def test_drop_it_and_done_refer_to_the_task_just_nudged_about(planner, store, user, settings):
    from nudge.models import utcnow

    noon = local_slot("America/Toronto", 12)
    week_ago = noon - timedelta(days=7)  # relative to the slot, not the wall clock
    for title in ("sort the garage", "file old papers"):
        store.tasks.add(user.id, Task(title=title, created_at=week_ago, updated_at=week_ago))
    assert plan_user(planner, user.id, noon).stalled_nudge
    nudged = [t for t in store.tasks.open_tasks(user.id) if t.stalled_nudged_at]
    ctx_now = ToolContext(store=store, user=user, settings=settings, now=utcnow(), turn_id="t2")
    assert call(ctx_now, "drop_task")["dropped"] == nudged[0].title
    remaining = [t.title for t in store.tasks.open_tasks(user.id)]
    assert nudged[0].title not in remaining and len(remaining) == 1
    # Texting about the other task touches it; a bare "done" then means that one.
    store.tasks.patch(user.id, store.tasks.open_tasks(user.id)[0].id, title=remaining[0])
    assert call(ctx_now, "complete_task")["completed"] == remaining[0]


def test_proactive_llm_use_stays_within_the_daily_token_budget(planner, store, user, settings):
    from tests.support.gemini_api import ScriptedGeminiApi, gemini_model, text_response

    store.tasks.add(user.id, Task(title="renew passport", priority=1))
    store.users.save_settings(
        user.id, UserSettings(evening_checkin=datetime.min.time().replace(hour=19))
    )
    api = ScriptedGeminiApi(text_response("Morning Sam! One thing today: renew passport."))
    planner.model = gemini_model(api)
    planner.settings = settings.model_copy(update={"proactive_token_budget": 500})
    assert plan_user(planner, user.id, local_slot("America/Toronto", 8, 30)).briefing
    assert plan_user(planner, user.id, local_slot("America/Toronto", 19)).checkin
    briefing, checkin = sorted(outbox(store), key=lambda body: not body.startswith("Morning"))
    assert briefing == "Morning Sam! One thing today: renew passport."
    # The briefing spent 921 tokens (usage as Gemini reported it): over the 500 budget, so the
    # check-in goes out as composed, without asking Gemini.
    assert checkin.startswith("Evening check-in, Sam")
    assert len(api.requests) == 1
    [log] = store.agent_logs.list(user.id)
    assert (log.turn_id, log.input_tokens + log.output_tokens) == (
        "proactive-2026-11-24-briefing",
        921,
    )


def test_the_opt_in_weekly_look_back_comes_on_sunday_evening_once(planner, store, user):
    from nudge.models import TaskStatus

    sunday_evening = datetime(2026, 11, 29, 18, 0, tzinfo=ZoneInfo("America/Toronto"))
    done_at = sunday_evening - timedelta(days=2)
    task = store.tasks.add(user.id, Task(title="book the dentist"))
    store.tasks.update(user.id, task.id, status=TaskStatus.done, completed_at=done_at)
    slot = sunday_evening.astimezone(UTC)
    assert plan_user(planner, user.id, slot).weekly_review is False  # not opted in
    store.users.save_settings(user.id, UserSettings(weekly_review=True))
    saturday = slot - timedelta(days=1)
    assert plan_user(planner, user.id, saturday).weekly_review is False
    assert plan_user(planner, user.id, slot).weekly_review is True
    assert plan_user(planner, user.id, slot + timedelta(minutes=5)).weekly_review is False
    [review] = outbox(store)
    assert review.startswith("Your week, looking back: This week you got done: book the dentist.")
    # In a zone where 18:00 Sunday is another UTC moment, it follows the person's clock.
    tokyo = store.users.create(User(phone="+15555550102", name="Aki", timezone="Asia/Tokyo"))
    store.users.save_settings(tokyo.id, UserSettings(weekly_review=True))
    assert plan_user(planner, tokyo.id, slot).weekly_review is False  # Monday 8 AM there
    tokyo_evening = datetime(2026, 11, 29, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert plan_user(planner, tokyo.id, tokyo_evening.astimezone(UTC)).weekly_review is True
