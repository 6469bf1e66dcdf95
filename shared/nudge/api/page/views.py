"""The page's sections (GET) and their forms (POST), over the REST routes' use cases."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from nudge.api import sessions
from nudge.api.context import ApiContext
from nudge.api.page.render import button_form, csrf_field, e, layout, notice, section
from nudge.api.problems import Problem
from nudge.api.routes import account, me, memories, notes, reminders, tasks, tokens
from nudge.insights import compute_week, render_week

# What a redirect after a form may say (never text from the request).
SAID = {
    "task-added": "Added to your list.",
    "task-done": "Done. Nice one.",
    "reminder-set": "Reminder set.",
    "reminder-cancelled": "Reminder cancelled.",
    "reminder-snoozed": "Snoozed.",
    "forgotten": "Forgotten, for good.",
    "note-saved": "Note saved.",
    "note-deleted": "Note deleted.",
    "settings-saved": "Settings saved.",
    "token-revoked": "Token revoked. It no longer works.",
}


def _csrf(ctx: ApiContext) -> str:
    return sessions.csrf_token(ctx.settings, ctx.principal.credential_id)


def _when(ctx: ApiContext, moment) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(ctx.timezone))
    today = ctx.now.astimezone(ZoneInfo(ctx.timezone)).date()
    day = "today" if local.date() == today else f"{local:%a %b} {local.day}"
    return f"{day}, {local:%-I:%M %p}"


def _page(ctx: ApiContext, current: str, title: str, body: str, args) -> str:
    said = SAID.get(args.get("said", "")) if args is not None else None
    return layout(title, notice(said) + body, current=current, csrf=_csrf(ctx))


def _html(body: str, status: int = 200):
    from nudge.api.page.app import html

    return html(body, status)


def _back(path: str, said: str):
    from nudge.api.page.app import redirect

    return redirect(f"{path}?said={said}")


# -- Today --------------------------------------------------------------------------------


def today(ctx: ApiContext, args) -> str:
    from nudge.agent.tools.planning import WhatNowArgs, what_now
    from nudge.api.routes.events import EventQuery, list_events

    csrf = _csrf(ctx)
    pick = what_now(ctx.tools(), WhatNowArgs())
    if pick.get("pick"):
        minutes = f" (about {pick['minutes']} min)" if pick.get("minutes") else ""
        one = f'<p class="one-thing">{e(pick["pick"])}{e(minutes)}</p>'
    else:
        one = f"<p>{e(pick.get('message') or 'Nothing on your list.')} That's fine too.</p>"
    upcoming = ctx.store.occurrences.upcoming(ctx.user_id, ctx.now, limit=5)
    items = "".join(
        f'<li>{e(o.text)} <span class="when">{e(_when(ctx, o.due_at))}</span></li>'
        for o in upcoming
    )
    next_reminders = f"<ul>{items}</ul>" if items else "<p>No reminders coming up.</p>"
    events = list_events(ctx, EventQuery(days=1))
    zone = ZoneInfo(ctx.timezone)
    today_local = ctx.now.astimezone(zone).date()
    events.events = [ev for ev in events.events if ev.start.astimezone(zone).date() == today_local]
    if events.calendar_linked:
        rows = "".join(
            f'<li>{e(ev.title)} <span class="when">{e(_when(ctx, ev.start))}</span></li>'
            for ev in events.events
        )
        calendar = f"<ul>{rows}</ul>" if rows else "<p>Nothing on your calendar today.</p>"
    else:
        calendar = (
            "<p>No calendar linked. Text Nudge your calendar's private ICS link to add one.</p>"
        )
    chat = (
        '<form method="post" action="/chat" class="stack">'
        + csrf_field(csrf)
        + '<label for="chat-text">Say something to Nudge</label>'
        '<input id="chat-text" name="text" maxlength="1600" required autocomplete="off">'
        '<button type="submit">Send</button></form>'
    )
    body = (
        section("now", "The one thing for now", one)
        + section("rem", "Next reminders", next_reminders)
        + section("cal", "Today's events", calendar)
        + your_week(ctx)
        + section("chat", "Talk to Nudge", chat)
    )
    name = f", {ctx.user.name}" if ctx.user.name else ""
    return _page(ctx, "/", f"Hi{name}", body, args)


def your_week(ctx: ApiContext) -> str:
    """The last seven days as charts with their numbers, in the person's own days (their
    timezone, else the default); its sections sit under the page's h1 like the others."""
    week = compute_week(
        ctx.store, ctx.user_id, now=ctx.now, default_timezone=ctx.settings.default_timezone
    )
    charts = render_week(week, id_prefix="your-week", heading_level=2)
    # The div keeps the "#your-week" anchor the slot had.
    return f'<div id="your-week">{charts}</div>'


# -- Tasks and goals ------------------------------------------------------------------------


def tasks_page(ctx: ApiContext, args) -> str:
    csrf = _csrf(ctx)
    listed = tasks.list_tasks(ctx, tasks.TaskQuery(status="open")).tasks
    top = [t for t in listed if not t.parent_task_id]
    steps: dict[str, list] = {}
    for t in listed:
        if t.parent_task_id:
            steps.setdefault(t.parent_task_id, []).append(t)
    rows = []
    for t in top:
        due = f' <span class="when">due {e(_when(ctx, t.due_at))}</span>' if t.due_at else ""
        own = sorted(steps.get(t.id, []), key=lambda s: s.order)
        step_list = "".join(
            f"<li>{e(s.title)} "
            f"{button_form(f'/tasks/{s.id}/complete', 'Done', csrf, about=s.title)}</li>"
            for s in own
        )
        rows.append(
            f'<li><span class="title">{e(t.title)}</span>{due} '
            f"{button_form(f'/tasks/{t.id}/complete', 'Done', csrf, about=t.title)} "
            f"{button_form(f'/tasks/{t.id}/break-down', 'Break it down', csrf, style='quiet')}"
            f"{f'<ol class=steps>{step_list}</ol>' if step_list else ''}</li>"
        )
    task_list = f'<ul class="items">{"".join(rows)}</ul>' if rows else "<p>Your list is clear.</p>"
    add = (
        '<form method="post" action="/tasks" class="stack">'
        + csrf_field(csrf)
        + '<label for="task-title">Add a task</label>'
        '<input id="task-title" name="title" maxlength="200" required>'
        '<button type="submit">Add</button></form>'
    )
    goal_rows = "".join(
        f'<li>{e(g.title)} <span class="when">{g.progress}%</span> '
        f"{button_form(f'/goals/{g.id}/complete', 'Mark reached', csrf, style='quiet')}</li>"
        for g in tasks.list_goals(ctx).goals
        if g.status == "active"
    )
    goals = f'<ul class="items">{goal_rows}</ul>' if goal_rows else "<p>No goals yet.</p>"
    body = section("t", "Open tasks", task_list + add) + section("g", "Goals", goals)
    return _page(ctx, "/tasks", "Tasks and goals", body, args)


# -- Reminders ------------------------------------------------------------------------------


def reminders_page(ctx: ApiContext, args) -> str:
    csrf = _csrf(ctx)
    listed = reminders.list_reminders(ctx, reminders.ReminderQuery(status="active")).reminders
    rows = []
    for r in listed:
        history = reminders.reminder_history(ctx, r.id).occurrences[:5]
        past = "".join(
            f"<li>{e(_when(ctx, o.due_at))}: {e(o.status.value)}</li>"
            for o in history
            if o.status.value not in ("scheduled", "sending")
        )
        rows.append(
            f'<li><span class="title">{e(r.text)}</span> '
            f'<span class="when">{e(_when(ctx, r.next_due_at) or "no time set")}</span> '
            f"{button_form(f'/reminders/{r.id}/snooze', 'Snooze 10 min', csrf, style='quiet')} "
            f"{button_form(f'/reminders/{r.id}/cancel', 'Cancel', csrf, style='quiet')}"
            + (f"<details><summary>History</summary><ul>{past}</ul></details>" if past else "")
            + "</li>"
        )
    body_list = f'<ul class="items">{"".join(rows)}</ul>' if rows else "<p>No reminders set.</p>"
    add = (
        '<form method="post" action="/reminders" class="stack">'
        + csrf_field(csrf)
        + '<label for="rem-text">Remind me to</label>'
        '<input id="rem-text" name="text" maxlength="300" required>'
        '<label for="rem-when">When</label>'
        '<input id="rem-when" name="when" maxlength="200" required '
        'aria-describedby="rem-when-hint"><p id="rem-when-hint" class="hint">As you would text '
        'it: "tomorrow at 9", "in 20 minutes", "every weekday at 8".</p>'
        '<button type="submit">Set reminder</button></form>'
    )
    return _page(ctx, "/reminders", "Reminders", body_list + add, args)


# -- Memories and notes ---------------------------------------------------------------------


def memories_page(ctx: ApiContext, args) -> str:
    csrf = _csrf(ctx)
    q = (args.get("q") or "").strip()[:500]
    if q:
        found = memories.search_memories(ctx, memories.SearchQuery(q=q, limit=20)).hits
        shown = [h.memory for h in found]
    else:
        shown = memories.list_memories(ctx, memories.MemoryQuery(limit=200)).memories
    rows = "".join(
        f"<li>{e(m.content)} "
        + button_form(f"/memories/{m.id}/forget", "Forget", csrf, style="quiet", about=m.content)
        + "</li>"
        for m in shown
    )
    search = (
        '<form method="get" action="/memories" class="stack" role="search">'
        '<label for="mem-q">Search what Nudge remembers</label>'
        f'<input id="mem-q" name="q" value="{e(q)}" maxlength="500">'
        '<button type="submit">Search</button></form>'
    )
    empty = "<p>Nothing found.</p>" if q else "<p>Nothing remembered yet.</p>"
    listing = f'<ul class="items">{rows}</ul>' if rows else empty
    return _page(ctx, "/memories", "Memories", search + listing, args)


def notes_page(ctx: ApiContext, args) -> str:
    csrf = _csrf(ctx)
    listed = notes.list_notes(ctx, notes.NoteQuery()).notes
    rows = "".join(
        f'<li><details><summary>{e(n.title)}</summary><p class="note">{e(n.body)}</p>'
        f"{button_form(f'/notes/{n.id}/delete', 'Delete note', csrf, style='quiet')}</details></li>"
        for n in listed
    )
    add = (
        '<form method="post" action="/notes" class="stack">'
        + csrf_field(csrf)
        + '<label for="note-body">New note</label>'
        '<textarea id="note-body" name="body" maxlength="5000" rows="4" required></textarea>'
        '<button type="submit">Save note</button></form>'
    )
    listing = f'<ul class="items">{rows}</ul>' if rows else "<p>No notes yet.</p>"
    return _page(ctx, "/notes", "Notes", listing + add, args)


# -- Settings and your data -----------------------------------------------------------------


def settings_page(ctx: ApiContext, args) -> str:
    csrf = _csrf(ctx)
    s = me.get_settings(ctx)

    def clock(name: str, label: str, value) -> str:
        shown = f"{value:%H:%M}" if value else ""
        return (
            f'<label for="{name}">{e(label)}</label>'
            f'<input type="time" id="{name}" name="{name}" value="{shown}">'
        )

    checked = " checked" if s.nag_by_default else ""
    form = (
        '<form method="post" action="/settings" class="stack">'
        + csrf_field(csrf)
        + f'<label for="timezone">Timezone</label><input id="timezone" name="timezone" '
        f'value="{e(s.timezone)}" maxlength="64" required>'
        + clock("quiet_hours_start", "Quiet hours start", s.quiet_hours_start)
        + clock("quiet_hours_end", "Quiet hours end", s.quiet_hours_end)
        + clock("morning_briefing", "Morning briefing (empty: none)", s.morning_briefing)
        + f'<label for="follow_up_minutes">Follow up on a reminder after (minutes)</label>'
        f'<input type="number" id="follow_up_minutes" name="follow_up_minutes" min="1" '
        f'max="1440" value="{s.follow_up_minutes}">'
        f'<p><input type="checkbox" id="nag_by_default" name="nag_by_default" value="on"{checked}>'
        '<label for="nag_by_default" class="inline-label">'
        "Keep following up until I answer</label></p>"
        '<button type="submit">Save settings</button></form>'
    )
    note = (
        "<p>Quiet hours only hold back what Nudge starts on its own. A reminder you set "
        "always comes at the time you asked.</p>"
    )
    return _page(ctx, "/settings", "Settings", note + form, args)


def account_page(ctx: ApiContext, args, *, new_token: str | None = None) -> str:
    csrf = _csrf(ctx)
    shown = ""
    if new_token:
        shown = (
            '<div class="notice" role="status"><p>Your new token (copy it now: Nudge keeps only '
            f"a fingerprint of it):</p><p><code>{e(new_token)}</code></p></div>"
        )
    rows = "".join(
        f"<li>{e(t.name)} <code>{e(t.prefix)}…</code> "
        f'<span class="when">{_used(ctx, t.last_used_at)}</span> '
        f"{button_form(f'/tokens/{t.id}/revoke', 'Revoke', csrf, style='quiet', about=t.name)}</li>"
        for t in tokens.list_tokens(ctx).tokens
    )
    token_list = f'<ul class="items">{rows}</ul>' if rows else "<p>No API tokens.</p>"
    new = (
        '<form method="post" action="/tokens" class="stack">'
        + csrf_field(csrf)
        + '<label for="token-name">New token for</label>'
        '<input id="token-name" name="name" maxlength="60" value="script" required>'
        '<button type="submit">Make a token</button></form>'
    )
    export = (
        '<p>Everything Nudge keeps about you: <a href="/v1/export" download>all of it '
        '(JSON)</a>, <a href="/v1/export/tasks.csv" download>tasks (CSV)</a>, '
        '<a href="/v1/export/expenses.csv" download>expenses (CSV)</a>. The API is '
        'described at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>'
    )
    delete = (
        "<p>This deletes everything: tasks, reminders, memories, notes, messages and linked "
        "accounts. You'll be asked once more.</p>"
        + button_form("/account/delete", "Delete my account…", csrf, style="danger")
    )
    body = (
        section("x", "Export", export)
        + section("k", "API tokens", shown + token_list + new)
        + section("d", "Delete your account", delete)
    )
    return _page(ctx, "/account", "Your data", body, args)


def _used(ctx: ApiContext, moment) -> str:
    return "used " + e(_when(ctx, moment)) if moment else "not used yet"


def confirm_delete_page(ctx: ApiContext) -> str:
    answer = account.delete_account(ctx, account.DeleteRequest())
    extra = f'<input type="hidden" name="confirm_token" value="{e(answer.confirm_token)}">'
    body = (
        "<p>Are you sure? Everything goes, for good, and Nudge sends you one last text. "
        "This can't be undone.</p>"
        + button_form(
            "/account/delete", "Yes, delete everything", _csrf(ctx), extra=extra, style="danger"
        )
        + ' <a href="/account">No, keep my account</a>'
    )
    return layout("Delete your account?", body, current="/account", csrf=_csrf(ctx))


GET_PAGES = {
    "/": today,
    "/tasks": tasks_page,
    "/reminders": reminders_page,
    "/memories": memories_page,
    "/notes": notes_page,
    "/settings": settings_page,
    "/account": account_page,
}


def get(ctx: ApiContext, path: str, args):
    view = GET_PAGES.get(path)
    if view is None:
        from nudge.api.page.render import message_page

        return _html(message_page("Not found", "There's nothing at this address."), 404)
    return _html(view(ctx, args))


_ACTION = re.compile(
    r"^/(?P<kind>tasks|goals|reminders|memories|notes|tokens)/"
    r"(?P<id>[A-Za-z0-9_-]{1,128})/(?P<verb>[a-z-]+)$"
)


def post(ctx: ApiContext, path: str, form):
    from pydantic import ValidationError

    from nudge.store import NotFound

    try:
        return _post(ctx, path, form)
    except ValidationError:
        raise Problem(400, "Some of that wasn't filled in the way it needs to be.") from None
    except NotFound:
        raise Problem(404, "That item isn't there any more.") from None


def _post(ctx: ApiContext, path: str, form):
    text = (form.get("text") or "").strip()
    if path == "/tasks":
        tasks.create_task(ctx, tasks.TaskCreate(title=(form.get("title") or "").strip()))
        return _back("/tasks", "task-added")
    if path == "/reminders":
        reminders.create_reminder(
            ctx, reminders.ReminderCreate(text=text, when=(form.get("when") or "").strip())
        )
        return _back("/reminders", "reminder-set")
    if path == "/notes":
        notes.create_note(ctx, notes.NoteCreate(body=(form.get("body") or "").strip()))
        return _back("/notes", "note-saved")
    if path == "/settings":
        return _save_settings(ctx, form)
    if path == "/tokens":
        name = (form.get("name") or "script").strip()[:60] or "script"
        made = tokens.create_token(ctx, tokens.TokenCreate(name=name))
        return _html(account_page(ctx, {}, new_token=made.token))
    if path == "/chat":
        from nudge.api.routes.chat import ChatIn, chat

        answer = chat(ctx, ChatIn(text=text))
        reply = answer.reply or "Nudge is answering your texts and will reply there."
        body = (
            f'<p class="you">You: {e(text)}</p><p class="nudge" role="status">Nudge: '
            f'{e(reply)}</p><p><a href="/">Back to Today</a></p>'
        )
        return _html(layout("Nudge says", body, current="/", csrf=_csrf(ctx)))
    if path == "/account/delete":
        return _delete(ctx, form)
    m = _ACTION.match(path)
    if m is None:
        raise Problem(404, "There's nothing to do at this address.")
    kind, item, verb = m["kind"], m["id"], m["verb"]
    match kind, verb:
        case "tasks", "complete":
            tasks.complete_task(ctx, item)
            return _back("/tasks", "task-done")
        case "tasks", "break-down":
            tasks.break_down_task(ctx, item, tasks.BreakDown())
            return _back("/tasks", "task-added")
        case "goals", "complete":
            tasks.complete_goal(ctx, item)
            return _back("/tasks", "task-done")
        case "reminders", "cancel":
            reminders.cancel_reminder(ctx, item)
            return _back("/reminders", "reminder-cancelled")
        case "reminders", "snooze":
            reminders.snooze_reminder(ctx, item, reminders.Snooze(minutes=10))
            return _back("/reminders", "reminder-snoozed")
        case "memories", "forget":
            memories.forget_memory(ctx, item)
            return _back("/memories", "forgotten")
        case "notes", "delete":
            notes.delete_note(ctx, item)
            return _back("/notes", "note-deleted")
        case "tokens", "revoke":
            tokens.revoke_token(ctx, item)
            return _back("/account", "token-revoked")
    raise Problem(404, "There's nothing to do at this address.")


def _save_settings(ctx: ApiContext, form):
    from datetime import time

    def clock(name: str) -> time | None:
        value = (form.get(name) or "").strip()
        return time.fromisoformat(value) if re.fullmatch(r"\d{2}:\d{2}", value) else None

    changes: dict = {
        "timezone": (form.get("timezone") or "").strip() or None,
        "morning_briefing": clock("morning_briefing"),
        "nag_by_default": form.get("nag_by_default") == "on",
    }
    for name in ("quiet_hours_start", "quiet_hours_end"):
        if (value := clock(name)) is not None:
            changes[name] = value
    minutes = (form.get("follow_up_minutes") or "").strip()
    if minutes.isdigit():
        changes["follow_up_minutes"] = int(minutes)
    if changes["timezone"] is None:
        changes.pop("timezone")
    me.update_settings(ctx, me.SettingsUpdate(**changes))
    return _back("/settings", "settings-saved")


def _delete(ctx: ApiContext, form):
    from nudge.api.page.app import html
    from nudge.api.page.render import message_page

    token = form.get("confirm_token")
    if not token:
        return _html(confirm_delete_page(ctx))
    account.delete_account(ctx, account.DeleteRequest(confirm_token=token[:200]))
    response = html(
        message_page("Deleted", "Your account and everything in it is gone. Take care of yourself.")
    )
    response.delete_cookie(sessions.COOKIE, path="/")
    return response
