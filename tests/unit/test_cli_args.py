"""The `nudge` command line reads its arguments in the order the README writes them."""

from __future__ import annotations

import pytest

from nudge.cli import parse_args


@pytest.mark.parametrize(
    "argv",
    [
        ["memory", "search", "--user", "+15555550100", "Anna birthday", "--k", "3", "--json"],
        ["memory", "search", "Anna birthday", "--user", "+15555550100", "--k", "3", "--json"],
    ],
)
def test_the_query_may_come_before_or_after_the_options(argv):
    args = parse_args(argv)
    assert (args.file_or_query, args.user, args.k, args.json) == (
        "Anna birthday",
        "+15555550100",
        3,
        True,
    )


def test_a_stray_argument_is_still_an_error(capsys):
    with pytest.raises(SystemExit):
        parse_args(["memory", "search", "one", "two", "--user", "+15555550100"])
    assert "unrecognized arguments: two" in capsys.readouterr().err


def test_cron_run_reaches_the_stack_started_with_the_same_port_offset(
    monkeypatch, capsys, tmp_path
):
    import os

    from emulators import cron, stack
    from nudge.cli import main

    fired = {}

    def recording_fire(job, *, urls, secret, **_):
        fired["url"] = urls[job.function]
        return 200

    monkeypatch.setattr(cron, "fire", recording_fire)
    monkeypatch.setattr(cron, "STATE_DIR", tmp_path)
    monkeypatch.setenv("NUDGE_DEV_PORT_OFFSET", "300")
    saved = dict(os.environ)
    try:
        assert main(["cron", "run", "reminder-catch-up"]) == 0
    finally:  # `nudge cron run` points the process at the local stack; undo that here
        os.environ.clear()
        os.environ.update(saved)
    port = stack.function_ports()["reminders"] + 300
    assert fired["url"].startswith(f"http://127.0.0.1:{port}")
    assert "reminder-catch-up: HTTP 200" in capsys.readouterr().out


def test_status_reads_the_port_offset_from_the_environment_or_the_option(monkeypatch):
    monkeypatch.setenv("NUDGE_DEV_PORT_OFFSET", "300")
    assert (parse_args(["status"]).port_offset, parse_args(["status"]).json) == (300, False)
    args = parse_args(["status", "--json", "--port-offset", "5"])
    assert (args.port_offset, args.json) == (5, True)
