"""Report files fetched from a real loopback HTTP server, with the size limit enforced."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from feeds.base import FeedAuthError, FeedBadData, FeedMisconfigured, FeedUnavailable
from feeds.tabular import download, read_tables
from tests.fixtures.http_server import Route, serve
from tests.fixtures.reports import tourism_workbook

MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def endless_body(total: int) -> Iterator[str]:
    """A server streaming `total` bytes with no Content-Length (read until the close)."""
    chunk = b"x" * (64 * 1024)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            sent = 0
            try:
                while sent < total:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client refused the body: expected

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/bao-cao.csv"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_workbook_is_downloaded_and_read() -> None:
    body = tourism_workbook()
    with serve({"/du-lich/thang-10.xlsx": Route(200, body, content_type=XLSX)}) as server:
        got = download(server.url("/du-lich/thang-10.xlsx"))
    assert got.content == body
    assert got.content_type == XLSX
    tables, _ = read_tables(got.content, source=got.url)
    assert tables[0].columns[0] == "Địa bàn"


def test_a_declared_oversized_body_is_refused_before_it_is_read() -> None:
    with serve({"/lon.csv": Route(200, b"x" * (25 * MB), content_type="text/csv")}) as server:
        tracemalloc.start()
        try:
            with pytest.raises(FeedBadData, match="body of 26,214,400 bytes exceeds 20,971,520"):
                download(server.url("/lon.csv"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    print(f"peak memory refusing a declared 25 MB body: {peak / MB:.2f} MB")
    assert peak < 2 * MB


def test_an_undeclared_oversized_body_is_refused_while_streaming() -> None:
    with endless_body(25 * MB) as url:
        tracemalloc.start()
        try:
            with pytest.raises(FeedBadData, match="exceeds 20,971,520 bytes"):
                download(url)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    print(f"peak memory refusing a streamed 25 MB body: {peak / MB:.2f} MB")
    assert peak < 21 * MB  # never the whole body: the limit plus one chunk


def test_a_smaller_limit_bounds_the_memory_used() -> None:
    with endless_body(25 * MB) as url:
        tracemalloc.start()
        try:
            with pytest.raises(FeedBadData):
                download(url, max_bytes=1 * MB)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * MB


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, FeedMisconfigured), (401, FeedAuthError), (403, FeedAuthError), (503, FeedUnavailable)],
)
def test_http_failures_have_their_kind(status: int, error: type[Exception]) -> None:
    with serve({"/x.csv": Route(status, b"no")}) as server, pytest.raises(error, match=str(status)):
        download(server.url("/x.csv"))


def test_a_slow_server_times_out() -> None:
    slow = {"/cham.csv": Route(200, b"a;b", delay=5)}
    with serve(slow) as server, pytest.raises(FeedUnavailable, match="timed out"):
        download(server.url("/cham.csv"), timeout=0.3)


def test_a_refused_connection_is_unavailable() -> None:
    from tests.fixtures.http_server import free_port

    with pytest.raises(FeedUnavailable, match="connection failed"):
        download(f"http://127.0.0.1:{free_port()}/x.csv", timeout=2)
