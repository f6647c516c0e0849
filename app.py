"""Start the IOC dashboard: `python app.py [--config PATH] [--host H] [--port P]`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

import waitress

from access.bootstrap import first_start
from dashboards import create_app
from feeds.definitions import provision
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler, stop_scheduler
from settings import Settings, load_settings_or_exit
from store.accounts import Accounts
from store.startup import open_store_or_exit

PAGE_THREADS = 16  # threads that stay free for pages and /healthz when every stream is open
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def serve(server: Any, settings: Settings, host: str, port: int) -> None:
    """Serve with waitress (a production WSGI server, no version banner). Open camera
    streams each hold a thread: `cameras.max_streams` + 16 threads keep pages answering."""
    threads = settings.cameras.max_streams + PAGE_THREADS
    logging.getLogger(__name__).info(
        "serving on http://%s:%d (waitress, %d threads)", host, port, threads
    )
    waitress.serve(
        server,
        host=host,
        port=port,
        threads=threads,
        connection_limit=threads + 100,
        ident=None,  # no Server header
        max_request_body_size=settings.web.max_request_bytes,
        clear_untrusted_proxy_headers=True,
        _quiet=True,
    )


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
    store = open_store_or_exit(settings.database)
    first_start(Accounts(store.engine))
    provision(store, settings)  # config.yaml's feeds, beside those made in the console
    scheduler = runner = None
    if settings.scheduler.embedded and not args.no_scheduler:
        runner = FeedRunner.from_store(store)
        scheduler = build_scheduler(runner)
    app = create_app(settings, store)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if scheduler:
        scheduler.start()
    try:
        serve(app.server, settings, args.host, args.port)
    finally:
        if scheduler and runner:
            stop_scheduler(scheduler, runner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
