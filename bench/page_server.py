"""A paged JSON API in its own process, as a provincial system of record is: the bench's
runner then shares its interpreter with nothing the floor does not share it with.

Serves DIR/page-N.json for `?page=N` (and `{"data": []}` past the last page) on 127.0.0.1.

Run: python -m bench.page_server DIR PORT
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

EMPTY = b'{"data": []}'


def handler(folder: Path) -> type[BaseHTTPRequestHandler]:
    pages = {int(p.stem.removeprefix("page-")): p.read_bytes() for p in folder.glob("page-*")}

    class Pages(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            number = parse_qs(urlsplit(self.path).query).get("page", ["1"])[0]
            body = pages.get(int(number), EMPTY) if number.isdigit() else EMPTY
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Pages


def main() -> None:
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    ThreadingHTTPServer(("127.0.0.1", port), handler(folder)).serve_forever()


if __name__ == "__main__":
    main()
