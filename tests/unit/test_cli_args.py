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


def test_status_reads_the_port_offset_from_the_environment_or_the_option(monkeypatch):
    monkeypatch.setenv("NUDGE_DEV_PORT_OFFSET", "300")
    assert (parse_args(["status"]).port_offset, parse_args(["status"]).json) == (300, False)
    args = parse_args(["status", "--json", "--port-offset", "5"])
    assert (args.port_offset, args.json) == (5, True)
