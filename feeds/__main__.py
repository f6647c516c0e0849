"""Command line: `python -m feeds [check|run FEED_ID|types|test FEED_ID]`; with no command,
run the scheduler."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from feeds.definitions import InvalidDefinition, config_of, provision
from feeds.dry_run import DryRun
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler, stop_scheduler
from settings import FeedConfig, Settings, load_settings_or_exit
from store.feed_defs import FILE, FeedDefinition
from store.startup import open_store_or_exit

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "types":
        return _types(as_json=args.json)
    settings = load_settings_or_exit(args.config)
    if args.command == "test":
        return _test(settings, args.feed_id, args.limit, as_json=args.json)
    if args.command == "check":
        print(
            f"{settings.config_path}: valid ({len(settings.feeds)} feeds, "
            f"{len(settings.enabled_feeds)} enabled)"
        )
        return 0
    if args.command == "run":
        return _run_once(settings, args.feed_id)
    return _run_scheduler(settings)


def _parser() -> argparse.ArgumentParser:
    config_help = "config file (default: $IOC_CONFIG or config.yaml)"
    parser = argparse.ArgumentParser(prog="python -m feeds", description=__doc__)
    parser.add_argument("--config", help=config_help)
    # `--config` is accepted after the command too, without overwriting a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "check", parents=[common], help="validate the configuration and exit (0 valid, 2 not)"
    )
    run = commands.add_parser(
        "run", parents=[common], help="run one feed once and print what it ingested"
    )
    run.add_argument("feed_id")
    types = commands.add_parser(
        "types", help="list the feed types and the JSON Schema of their options"
    )
    types.add_argument("--json", action="store_true", help="print JSON (for the console)")
    test = commands.add_parser(
        "test",
        parents=[common],
        help="dry run: fetch and normalise one feed, print what would be stored, write nothing",
    )
    test.add_argument("feed_id")
    test.add_argument("--limit", type=int, default=20, help="records to print (default 20)")
    test.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _types(*, as_json: bool) -> int:
    from feeds.registry import describe_types

    described = describe_types()
    if as_json:
        print(json.dumps(described, ensure_ascii=False, indent=2))
        return 0
    for entry in described:
        demo = " (demo)" if entry["demo"] else ""
        options = ", ".join(entry["options_schema"].get("properties", {})) or "none"
        print(f"{entry['type']}{demo}: {entry['description']}\n  options: {options}")
    return 0


def _test(settings: Settings, feed_id: str, limit: int, *, as_json: bool) -> int:
    from feeds.dry_run import dry_run

    if limit < 0:
        print("--limit must be 0 or more", file=sys.stderr)
        return 2
    try:
        config, known = _feed_to_test(settings, feed_id)
    except InvalidDefinition as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if config is None:
        print(
            f"unknown feed {feed_id!r} (configured: {', '.join(known) or 'none'})", file=sys.stderr
        )
        return 2
    result = dry_run(config, limit=limit)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_dry_run(feed_id, result)
    return 0 if result.ok else 1


def _feed_to_test(settings: Settings, feed_id: str) -> tuple[FeedConfig | None, list[str]]:
    """The feed as the scheduler would run it: a definition saved in the console (a console
    feed, or a file feed's console override) when the database holds one, else the file's
    entry. The database is only read, and not opened at all when it does not exist yet (a
    dry run writes nothing, not even a new database)."""
    in_file = {f.id: f for f in settings.feeds}
    definitions = _stored_definitions(settings)
    stored = next((d for d in definitions if d.id == feed_id and not d.deleted), None)
    known = sorted({*in_file, *(d.id for d in definitions if not d.deleted)})
    if stored is not None and (
        stored.origin != FILE or stored.overridden or feed_id not in in_file
    ):
        return config_of(stored), known
    return in_file.get(feed_id), known


def _stored_definitions(settings: Settings) -> list[FeedDefinition]:
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return []  # no database file: nothing was saved in the console
    store = open_store_or_exit(settings.database)
    try:
        return store.feed_defs.all()
    finally:
        store.engine.dispose()


def _print_dry_run(feed_id: str, result: DryRun) -> None:
    if result.error:
        print(f"{feed_id}: fetch failed ({result.error['kind']}): {result.error['text']}")
        return
    print(
        f"{feed_id}: {result.total_records} records would be stored, "
        f"{result.total_rejected} rejected (nothing written)"
    )
    for record in result.records:
        print("  " + json.dumps(record, ensure_ascii=False))
    for warning in result.warnings:
        print(f"  warning: {warning['reason']}")
    for rejected in result.rejected:
        print(f"  rejected: {rejected['reason']}\n    {rejected['raw']}")


def _run_once(settings: Settings, feed_id: str) -> int:
    store = open_store_or_exit(settings.database)
    provision(store, settings)
    known = [d.id for d in store.feed_defs.all()]
    if feed_id not in known:
        print(
            f"unknown feed {feed_id!r} (configured: {', '.join(known) or 'none'})",
            file=sys.stderr,
        )
        return 2
    report = FeedRunner.from_store(store).run(feed_id)
    print(
        f"{report.feed_id}: {report.status} — {report.accepted} accepted, "
        f"{report.rejected} rejected, {report.changed} changed in "
        f"{report.duration_ms / 1000:.1f} s (run #{report.run_id})"
    )
    if report.error_text:
        print(f"  {report.error_kind or 'rejected'}: {report.error_text}")
    return 1 if report.status == "failed" else 0


def _run_scheduler(settings: Settings) -> int:
    store = open_store_or_exit(settings.database)
    provision(store, settings)
    runner = FeedRunner.from_store(store)
    scheduler = build_scheduler(runner, blocking=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop_scheduler(scheduler, runner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
