"""`nudge status`: the local stack's health, queues, cron runs, users and today's reminders,
as plain text or JSON (`--json`). Exit 1 when a function or an emulator is down."""

from __future__ import annotations

from datetime import datetime

from emulators.status import CronJobStatus, Probe, StackStatus, collect_status, local_targets


def _ago(moment: datetime, now: datetime) -> str:
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _probe_line(probe: Probe, width: int) -> str:
    if probe.up:
        said = f"up ({probe.detail}, {probe.latency_ms:.0f} ms)" if probe.detail else "up"
    else:
        said = f"DOWN: {probe.detail}"
    return f"  {probe.name:<{width}} {probe.address:<26} {said}"


def _cron_line(job: CronJobStatus, now: datetime, width: int, schedule_width: int) -> str:
    run = job.last_run
    start = f"  {job.job:<{width}} {job.schedule:<{schedule_width}}"
    if run is None:
        return f"{start} never run by this stack"
    answer = f"HTTP {run.status}" if run.status else "function not running"
    how = "" if run.trigger == "schedule" else f", {run.trigger.value}"
    when = f"{_clock(run.fired_at)} ({_ago(run.fired_at, now)}{how})"
    return f"{start} {when}: {answer} in {run.seconds:.1f} s"


def format_status(status: StackStatus, *, port_offset: int = 0) -> str:
    now = status.checked_at
    offset = f" (port offset {port_offset})" if port_offset else ""
    verdict = "all up" if status.ok else "SOMETHING IS DOWN"
    lines = [f"Nudge local stack{offset}: {verdict}, checked {_clock(now)}", "", "Emulators"]
    width = max(len(p.name) for p in status.emulators + status.functions)
    lines += [_probe_line(p, width) for p in status.emulators]
    lines += ["", "Functions"] + [_probe_line(p, width) for p in status.functions]

    lines += ["", "Queues (tasks waiting)"]
    if status.queues is None:
        lines.append(f"  unknown: {status.queues_error}")
    for depth in status.queues or []:
        line = f"  {depth.queue:<16} {depth.waiting:>4}"
        if depth.waiting:
            line += f"  ({depth.due_now} due now, {depth.later} later"
            line += f"; next {_clock(depth.next_at)})" if depth.next_at else ")"
        lines.append(line)

    lines += ["", "Cron jobs (last run)"]
    job_width = max((len(j.job) for j in status.cron), default=0)
    schedule_width = max((len(j.schedule) for j in status.cron), default=0)
    lines += [_cron_line(job, now, job_width, schedule_width) for job in status.cron]

    lines.append("")
    if status.users is None:
        lines.append(f"Users and reminders: unknown ({status.data_error})")
    else:
        opted = f" ({status.opted_out} opted out)" if status.opted_out else ""
        lines.append(f"Users: {status.users}{opted}")
        today = status.reminders_today
        if today is not None:
            lines.append(
                f"Reminders today (each person's own day): {today.sent} sent "
                f"({today.acknowledged} answered done, {today.snoozed} snoozed), "
                f"{today.missed} missed, {today.to_come} still to come"
            )
    return "\n".join(lines)


def status_command(port_offset: int, as_json: bool) -> int:
    status = collect_status(local_targets(port_offset))
    if as_json:
        print(status.model_dump_json(indent=2))
    else:
        print(format_status(status, port_offset=port_offset))
    return 0 if status.ok else 1
