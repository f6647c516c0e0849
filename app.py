"""Start the IOC dashboard: `python app.py [--config PATH] [--host H] [--port P]`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from access.bootstrap import first_start
from dashboards import create_app
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler
from settings import load_settings_or_exit
from store import Store
from store.accounts import Accounts

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", help="config file (default: $IOC_CONFIG or config.yaml)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument(
        "--no-scheduler",
        action="store_true",
        help="serve only; feeds run in a separate `python -m feeds` process",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    settings = load_settings_or_exit(args.config)
    store = Store.open(settings.database.url)
    first_start(Accounts(store.engine))
    scheduler = None
    if settings.scheduler.embedded and not args.no_scheduler:
        scheduler = build_scheduler(FeedRunner(store, settings.feeds), settings.feeds)
    app = create_app(settings, store)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if scheduler:
        scheduler.start()
    try:
        app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
