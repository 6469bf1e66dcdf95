"""The `nudge` console command: the local stack and tools around it."""

from __future__ import annotations

import argparse
import os
import sys


def _dev(args: argparse.Namespace) -> int:
    from emulators.dev import run

    return run(port_offset=args.port_offset)


def _cron(args: argparse.Namespace) -> int:
    from emulators.cron import fire, load_jobs
    from emulators.dev import build_env
    from nudge.settings import Settings

    jobs = {job.name: job for job in load_jobs()}
    if args.cron_command == "list" or not args.job:
        for job in jobs.values():
            print(f"{job.name:<28} {job.schedule:<16} {job.time_zone:<18} -> {job.function}")
        if not jobs:
            print("no cron jobs are declared in infra/cron_jobs.json")
        return 0
    if args.job not in jobs:
        print(f"nudge cron: no job named {args.job!r}; `nudge cron list` shows them")
        return 2
    os.environ.update(build_env())
    settings = Settings()
    secret = settings.task_secret.get_secret_value() if settings.task_secret else ""
    status = fire(jobs[args.job], urls=settings.function_urls, secret=secret)
    print(f"{args.job}: HTTP {status}")
    return 0 if 200 <= status < 300 else 1


def _text(args: argparse.Namespace) -> int:
    from nudge.cli.phone import text_command

    return text_command(args.message, args.from_number, args.wait)


def _phone(args: argparse.Namespace) -> int:
    from nudge.cli.phone import phone_command

    return phone_command(args.from_number, args.wait)


def _inbox(args: argparse.Namespace) -> int:
    from nudge.cli.phone import inbox_command

    return inbox_command(args.from_number, args.since, args.follow, args.wait, args.count)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nudge", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="start the whole local stack in the foreground")
    dev.add_argument(
        "--port-offset",
        type=int,
        default=int(os.environ.get("NUDGE_DEV_PORT_OFFSET", "0") or 0),
        help="shift every local port by N, to run a second stack beside the first",
    )
    dev.set_defaults(handler=_dev)

    from nudge.cli.phone import DEFAULT_PHONE

    text = sub.add_parser("text", help="send one text to the local stack and print the reply")
    text.add_argument("message")
    text.add_argument("--from", dest="from_number", default=DEFAULT_PHONE)
    text.add_argument("--wait", type=float, default=30, help="seconds to wait for a reply")
    text.set_defaults(handler=_text)

    phone = sub.add_parser("phone", help="chat with the local stack; shows proactive messages")
    phone.add_argument("--from", dest="from_number", default=DEFAULT_PHONE)
    phone.add_argument(
        "--wait", type=float, default=30, help="with piped input: wait this long for the answer"
    )
    phone.set_defaults(handler=_phone)

    inbox = sub.add_parser("inbox", help="print what the assistant sent to a phone")
    inbox.add_argument("--from", dest="from_number", default=DEFAULT_PHONE)
    inbox.add_argument("--since", type=float, default=3600, help="look back this many seconds")
    inbox.add_argument("--follow", action="store_true", help="keep printing new messages")
    inbox.add_argument("--wait", type=float, default=60, help="with --follow: for this long")
    inbox.add_argument("--count", type=int, help="with --follow: stop after this many messages")
    inbox.set_defaults(handler=_inbox)

    cron = sub.add_parser("cron", help="list the cron jobs, or fire one now on the local stack")
    cron.add_argument("cron_command", choices=["list", "run"])
    cron.add_argument("job", nargs="?")
    cron.set_defaults(handler=_cron)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
