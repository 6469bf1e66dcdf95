"""The `nudge` console command: the local stack and tools around it."""

from __future__ import annotations

import argparse
import os
import sys


def _dev(args: argparse.Namespace) -> int:
    from pathlib import Path

    from emulators.dev import DevOptions, run

    options = DevOptions(
        port_offset=args.port_offset,
        fresh=args.fresh,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        snapshot_every=args.snapshot_every,
    )
    return run(options=options)


def _cron(args: argparse.Namespace) -> int:
    from emulators.cron import fire, load_jobs
    from emulators.dev import build_env, port_offset_from_env
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
    # The stack `nudge dev --port-offset N` runs (NUDGE_DEV_PORT_OFFSET), like `nudge text`.
    os.environ.update(build_env(port_offset_from_env()))
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


def _memory(args: argparse.Namespace) -> int:
    import json

    from nudge.cli.phone import local_settings
    from nudge.embeddings import make_embedder
    from nudge.memory import admin
    from nudge.store import Store
    from nudge.store.client import make_firestore_client

    settings = local_settings()
    store = Store(make_firestore_client(settings))
    embedder = make_embedder(settings)
    if args.memory_command == "reembed":
        user_ids = [admin.user_for(store, args.user).id] if args.user else store.users.list_ids()
        print(f"re-embedded {admin.reembed(store, embedder, user_ids)} memories")
        return 0
    if not args.user:
        print(f"nudge memory {args.memory_command}: --user PHONE is required")
        return 2
    user = admin.user_for(store, args.user)
    if args.memory_command == "ingest":
        import time

        started = time.perf_counter()
        try:
            with open(args.file_or_query) as handle:
                count = admin.ingest(store, embedder, user.id, admin.read_jsonl(handle))
        except (OSError, ValueError) as exc:
            print(f"nudge memory ingest: {exc}")
            return 1
        print(f"ingested {count} memories in {time.perf_counter() - started:.1f}s")
        return 0
    if args.memory_command == "search":
        hits = admin.search(store, embedder, user.id, args.file_or_query, k=args.k, mode=args.mode)
        for rank, hit in enumerate(hits, 1):
            if args.json:
                print(json.dumps({"id": admin.source_id(hit), "score": round(hit.score, 5),
                                  "text": hit.memory.content}))  # fmt: skip
            else:
                print(f"{rank:>2}. [{hit.score:.3f}] {hit.memory.content}")
        return 0
    for line in admin.export(store, user.id):
        print(line)
    return 0


def _calendar_sample(args: argparse.Namespace) -> int:
    import time

    from nudge.calendar.sample_server import SAMPLE_ICS, serve_in_background

    server, base = serve_in_background({"basic.ics": SAMPLE_ICS.read_bytes()}, port=args.port)
    print(f"sample calendar: {base}/basic.ics  (text: my calendar is {base}/basic.ics)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()


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
    dev.add_argument(
        "--fresh",
        action="store_true",
        help="start with empty Firestore data (the old data folder is moved aside)",
    )
    dev.add_argument(
        "--data-dir",
        help="where the Firestore data is kept (default .nudge/data, or .nudge/data-N "
        "with --port-offset N)",
    )
    dev.add_argument(
        "--snapshot-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="save the Firestore data this often while running (default 30), and on exit",
    )
    dev.set_defaults(handler=_dev)

    from nudge.cli.phone import DEFAULT_PHONE

    phone_help = f"the phone number texting Nudge (default {DEFAULT_PHONE})"
    text = sub.add_parser("text", help="send one text to the local stack and print the reply")
    text.add_argument("message")
    text.add_argument("--from", dest="from_number", default=DEFAULT_PHONE, help=phone_help)
    text.add_argument("--wait", type=float, default=30, help="seconds to wait for a reply")
    text.set_defaults(handler=_text)

    phone = sub.add_parser("phone", help="chat with the local stack; shows proactive messages")
    phone.add_argument("--from", dest="from_number", default=DEFAULT_PHONE, help=phone_help)
    phone.add_argument(
        "--wait", type=float, default=30, help="with piped input: wait this long for the answer"
    )
    phone.set_defaults(handler=_phone)

    inbox = sub.add_parser("inbox", help="print what the assistant sent to a phone")
    inbox.add_argument(
        "--from", dest="from_number", default=DEFAULT_PHONE, help=f"the phone ({DEFAULT_PHONE})"
    )
    inbox.add_argument(
        "--since",
        type=float,
        help="look back this many seconds (default 3600; with --follow, 0: only new messages)",
    )
    inbox.add_argument("--follow", action="store_true", help="wait for new messages")
    inbox.add_argument(
        "--wait", type=float, default=60, help="with --follow: for this long (exit 1 if none)"
    )
    inbox.add_argument("--count", type=int, help="with --follow: stop after this many new messages")
    inbox.set_defaults(handler=_inbox)

    memory = sub.add_parser("memory", help="ingest, search, export or re-embed memories")
    memory.set_defaults(handler=_memory)
    # One subcommand each, so a file or query may come before or after the options.
    memory_sub = memory.add_subparsers(dest="memory_command", required=True)
    user = argparse.ArgumentParser(add_help=False)
    user.add_argument("--user", help="the user's phone number, E.164")
    ingest = memory_sub.add_parser("ingest", parents=[user], help="store a JSONL file")
    ingest.add_argument("file_or_query", metavar="FILE.jsonl")
    search = memory_sub.add_parser("search", parents=[user], help="rank memories for a query")
    search.add_argument("file_or_query", metavar="QUERY")
    search.add_argument("--k", type=int, default=10)
    search.add_argument("--mode", choices=["fused", "vector", "lexical"], default="fused")
    search.add_argument("--json", action="store_true", help="one JSON line per result")
    memory_sub.add_parser("export", parents=[user], help="print every memory as JSON")
    memory_sub.add_parser("reembed", parents=[user], help="recompute every embedding")

    sample = sub.add_parser(
        "calendar-sample", help="serve a sample ICS calendar (events every day) on 127.0.0.1"
    )
    sample.add_argument("--port", type=int, default=8790)
    sample.set_defaults(handler=_calendar_sample)

    cron = sub.add_parser("cron", help="list the cron jobs, or fire one now on the local stack")
    cron.add_argument("cron_command", choices=["list", "run"])
    cron.add_argument("job", nargs="?")
    cron.set_defaults(handler=_cron)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
