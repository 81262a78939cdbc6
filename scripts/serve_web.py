#!/usr/bin/env python3
"""Static server for the chat widget's demo: web/demo as /, web/dist as /dist/.

Standard library only (any Python 3.7+). Files are served as they are on disk: nothing is
injected or rewritten; directory listings are off.

    python3 scripts/serve_web.py                      # http://127.0.0.1:8080/
    python3 scripts/serve_web.py --port 8081 --host 0.0.0.0

The demo page talks to Rasa at http://localhost:5005 unless the URL says otherwise:
http://127.0.0.1:8080/?server=http://127.0.0.1:5006 (Rasa's --cors must allow this origin; see
CORS_ORIGINS in scripts/serve.sh).
"""
from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "web" / "demo"
DIST = ROOT / "web" / "dist"


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".json": "application/json",
        ".svg": "image/svg+xml",
    }

    def __init__(self, *args, demo: Path, dist: Path, quiet: bool, **kwargs):
        self.demo, self.dist, self.quiet = demo, dist, quiet
        super().__init__(*args, directory=str(demo), **kwargs)

    def translate_path(self, path: str) -> str:
        # /dist/... comes from web/dist, everything else from web/demo. The parent class drops
        # "..", empty and drive components, so nothing outside these folders can be reached.
        url_path = urllib.parse.urlsplit(path).path
        if url_path == "/dist" or url_path.startswith("/dist/"):
            self.directory = str(self.dist)
            path = path[len("/dist"):] or "/"
        else:
            self.directory = str(self.demo)
        return super().translate_path(path)

    def list_directory(self, path):  # no listings
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", 8080)),
                        help="port (default 8080, or $WEB_PORT)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--quiet", action="store_true", help="don't log each request")
    args = parser.parse_args(argv)

    if not (DIST / "ttps-widget.js").is_file():
        print(f"warning: {DIST / 'ttps-widget.js'} is missing; build it with `make web` "
              "(or `npm --prefix web ci && npm --prefix web run build`)", file=sys.stderr)

    handler = partial(Handler, demo=DEMO, dist=DIST, quiet=args.quiet)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    # Rasa's CORS default (scripts/serve.sh) is http://localhost:8080, so name it that way.
    host = {"127.0.0.1": "localhost", "0.0.0.0": "localhost"}.get(args.host, args.host)
    host = f"[{host}]" if ":" in host else host
    print(f"Web demo ready: http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
