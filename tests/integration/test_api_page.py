"""The page, signed in by a texted link: every section renders with landmarks and labelled
controls, and its forms do what texting would (seen by SMS afterwards)."""

from __future__ import annotations

from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from tests.support.api import Texts, api_client, new_person, sign_in

SECTIONS = ["/", "/tasks", "/reminders", "/memories", "/notes", "/settings", "/account"]


class Outline(HTMLParser):
    """Landmarks, headings, controls and labels of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.controls: list[dict] = []
        self.buttons_named = True

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"])
        if tag in ("input", "textarea", "select") and attributes.get("type") != "hidden":
            self.controls.append(attributes)


@pytest.fixture
def browser(store, settings):
    client = api_client()
    person = new_person(store)
    csrf = sign_in(client, store, settings, person.user_id)
    return client, person, csrf


def test_every_section_has_landmarks_and_labelled_controls(browser, store):
    client, person, csrf = browser
    client.post("/tasks", data={"csrf_token": csrf, "title": "renew passport"})
    for path in SECTIONS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        outline = Outline()
        outline.feed(response.text)
        for landmark in ("header", "nav", "main", "footer", "h1"):
            assert landmark in outline.tags, (path, landmark)
        assert '<html lang="en">' in response.text and 'class="skip"' in response.text
        for control in outline.controls:
            assert control.get("id") in outline.labels, (path, control)
    today = client.get("/").text
    assert 'id="your-week"' in today and "renew passport" in today
    assert client.get("/style.css").mimetype == "text/css"


def test_today_shows_the_next_reminders_and_todays_events(browser, store, task_queue):
    from datetime import timedelta

    from nudge.models import CalendarLink, Event, EventSource, utcnow

    client, person, csrf = browser
    client.post("/reminders", data={"csrf_token": csrf, "text": "take meds", "when": "in 1 hour"})
    now = utcnow()
    store.calendar_links.put(person.user_id, CalendarLink(source=EventSource.ics))
    store.events.upsert_many(
        person.user_id,
        [
            Event(
                title="Dentist",
                start=now + timedelta(minutes=30),
                end=now + timedelta(hours=1),
                external_id="e1",
                source=EventSource.ics,
            ),
            Event(
                title="Flight",
                start=now + timedelta(days=3),
                end=now + timedelta(days=3, hours=2),
                external_id="e2",
                source=EventSource.ics,
            ),
        ],
    )
    today = client.get("/").text
    assert "take meds" in today
    zone = ZoneInfo("America/Toronto")
    dentist_today = (now + timedelta(minutes=30)).astimezone(zone).date() == now.astimezone(
        zone
    ).date()
    assert ("Dentist" in today) == dentist_today
    assert "Flight" not in today


def test_completing_a_task_on_the_page_is_what_sms_sees(browser, store, settings, embedder):
    client, person, csrf = browser
    client.post("/tasks", data={"csrf_token": csrf, "title": "renew passport"})
    client.post("/tasks", data={"csrf_token": csrf, "title": "water plants"})
    [task] = [t for t in store.tasks.open_tasks(person.user_id) if t.title == "water plants"]
    done = client.post(f"/tasks/{task.id}/complete", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert "Done" in client.get(done.headers["Location"]).text
    reply = Texts(store, settings, person.user_id, embedder).say("what's on my list?")
    assert "renew passport" in reply and "water plants" not in reply


def test_today_shows_the_persons_week_in_their_own_days(browser, store, settings):
    from datetime import timedelta

    from nudge.models import Task, TaskStatus, User, utcnow

    client, person, csrf = browser
    client.post("/tasks", data={"csrf_token": csrf, "title": "water plants"})
    client.post("/tasks", data={"csrf_token": csrf, "title": "pay rent"})
    for task in store.tasks.open_tasks(person.user_id):
        client.post(f"/tasks/{task.id}/complete", data={"csrf_token": csrf})
    # Done three days ago, and someone else's: neither is today's count.
    store.tasks.add(
        person.user_id,
        Task(title="laundry", status=TaskStatus.done, completed_at=utcnow() - timedelta(days=3)),
    )
    other = store.users.create(User(phone="+15555550199", name="Alex"))
    store.tasks.add(
        other.id, Task(title="not theirs", status=TaskStatus.done, completed_at=utcnow())
    )

    today = client.get("/").text
    week = today.split('<div id="your-week">')[1].split("</div></section>")[0]
    assert '<h2 id="your-week-heading">Your week</h2>' in week
    assert '<h3 class="week-chart-title">Things done each day</h3>' in week
    assert "3 things done over these 7 days." in week and "America/Toronto time" in week
    local = utcnow().astimezone(ZoneInfo("America/Toronto"))
    day = local.strftime("%A, %B ") + str(local.day)
    row = today.split(f'<th scope="row">{day}</th>')[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row
    assert "water plants" in row and "pay rent" in row and "laundry" not in row
    assert "not theirs" not in today
    css = client.get("/style.css").text
    assert ".week-charts" in css and ".week-numbers" in css


def test_the_week_falls_back_to_the_default_timezone(store, settings):
    from nudge.models import User

    client = api_client()
    user = store.users.create(User(phone="+15555550198", name="Kim"))
    sign_in(client, store, settings, user.id)
    assert f"{settings.default_timezone} time" in client.get("/").text


def test_forgetting_a_memory_on_the_page(browser, store, settings, embedder):
    client, person, csrf = browser
    Texts(store, settings, person.user_id, embedder).say("remember my locker code is 4411")
    assert "4411" in client.get("/memories").text
    [memory] = store.memories.list(person.user_id)
    client.post(f"/memories/{memory.id}/forget", data={"csrf_token": csrf})
    assert "4411" not in client.get("/memories").text
    assert store.memories.list(person.user_id) == []


def test_reminders_notes_settings_and_tokens_from_the_page(browser, store, task_queue):
    client, person, csrf = browser
    made = client.post(
        "/reminders", data={"csrf_token": csrf, "text": "call mom", "when": "in 2 days at 9am"}
    )
    assert made.status_code == 303
    assert "call mom" in client.get("/reminders").text
    asked = client.post("/reminders", data={"csrf_token": csrf, "text": "x", "when": "soon"})
    assert asked.status_code == 422 and "?" in asked.text
    client.post("/notes", data={"csrf_token": csrf, "body": "garden: raised beds"})
    assert "raised beds" in client.get("/notes").text
    client.post(
        "/settings",
        data={
            "csrf_token": csrf,
            "timezone": "London",
            "quiet_hours_start": "23:30",
            "follow_up_minutes": "15",
        },
    )
    prefs = store.users.get_settings(person.user_id)
    assert f"{prefs.quiet_hours_start:%H:%M}" == "23:30" and prefs.follow_up_minutes == 15
    assert store.users.require(person.user_id).timezone == "Europe/London"
    shown = client.post("/tokens", data={"csrf_token": csrf, "name": "laptop"}).text
    secret = shown.split("<code>")[1].split("</code>")[0]
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_deleting_from_the_page_asks_once_more(browser, store):
    client, person, csrf = browser
    ask = client.post("/account/delete", data={"csrf_token": csrf})
    assert ask.status_code == 200 and "Are you sure?" in ask.text
    assert store.users.get(person.user_id) is not None
    confirm = ask.text.split('name="confirm_token" value="')[1].split('"')[0]
    gone = client.post("/account/delete", data={"csrf_token": csrf, "confirm_token": confirm})
    assert gone.status_code == 200 and "gone" in gone.text
    assert store.users.get(person.user_id) is None
    assert "Sign in" in client.get("/").text


def test_signed_out_visitors_see_how_to_sign_in(settings):
    client = api_client()
    page = client.get("/")
    assert page.status_code == 200 and "login" in page.text
    assert client.get("/tasks").status_code == 303
    assert client.post("/tasks", data={"title": "x"}).status_code == 303
