"""Serves the widget and its two demo pages (stdlib only).

- WEB_PORT (8080): a fictional council's page, and /widget.js itself.
- CHARITY_PORT (8081): a fictional charity's page on another origin, which
  embeds the widget from the council's server with the one script tag.

The pages are templates: {{RASA}} becomes the Rasa server's address and
{{WIDGET}} the widget's, both on the host name the browser used.
"""

import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
HTML = "text/html; charset=utf-8"


def handler_for(page: str):
    files = {"/": (page, HTML), f"/{page}": (page, HTML),
             "/widget.js": ("dist/widget.js", "text/javascript; charset=utf-8")}

    class Handler(BaseHTTPRequestHandler):
        server_version = "ConferenceCompanionDemo"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/favicon.ico":
                return self._send(204, "image/x-icon", b"")
            if path not in files:
                return self._send(404, "text/plain; charset=utf-8", b"Not found\n")
            name, kind = files[path]
            try:
                body = (WEB / name).read_bytes()
            except FileNotFoundError:
                return self._send(500, "text/plain; charset=utf-8", b"Missing file: run make run\n")
            if kind == HTML:
                host = (self.headers.get("Host") or "localhost").rsplit(":", 1)[0]
                body = (body.replace(b"{{RASA}}", f"http://{host}:{os.environ.get('RASA_PORT', '5005')}".encode())
                        .replace(b"{{WIDGET}}", f"http://{host}:{os.environ.get('WEB_PORT', '8080')}/widget.js".encode()))
            return self._send(200, kind, body)

        def _send(self, status, kind, body):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the terminal for the bot's own logs
            pass

    return Handler


def main() -> None:
    bind = os.environ.get("WEB_BIND", "127.0.0.1")
    pages = [("index.html", int(os.environ.get("WEB_PORT", "8080"))),
             ("charity.html", int(os.environ.get("CHARITY_PORT", "8081")))]
    servers = [ThreadingHTTPServer((bind, port), handler_for(page)) for page, port in pages]
    for page, port in pages:
        print(f"demo page {page} listening on {bind}:{port}", file=sys.stderr)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
