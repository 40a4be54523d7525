"""Serves the demo page on WEB_PORT (stdlib only).

Only the listed files are served. /config.js tells the page where the Rasa
server is: the same host name the browser used, on RASA_PORT.
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/demo.js": ("demo.js", "text/javascript; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
    "/vendor/socket.io.min.js": ("node_modules/socket.io-client/dist/socket.io.min.js",
                                 "text/javascript; charset=utf-8"),
}


class Handler(BaseHTTPRequestHandler):
    server_version = "ConferenceCompanionDemo"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path == "/config.js":
            host = (self.headers.get("Host") or "localhost").rsplit(":", 1)[0]
            port = os.environ.get("RASA_PORT", "5005")
            body = f'window.CC_SERVER = "http://{host}:{port}";\n'.encode()
            return self._send(200, "text/javascript; charset=utf-8", body)
        if path == "/favicon.ico":
            return self._send(204, "image/x-icon", b"")
        if path not in FILES:
            return self._send(404, "text/plain; charset=utf-8", b"Not found\n")
        name, kind = FILES[path]
        try:
            body = (WEB / name).read_bytes()
        except FileNotFoundError:
            return self._send(500, "text/plain; charset=utf-8", b"Missing file: run make run\n")
        return self._send(200, kind, body)

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the terminal for the bot's own logs
        pass


def main() -> None:
    port = int(os.environ.get("WEB_PORT", "8080"))
    bind = os.environ.get("WEB_BIND", "127.0.0.1")
    server = ThreadingHTTPServer((bind, port), Handler)
    print(f"demo page listening on {bind}:{port}", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
