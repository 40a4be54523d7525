"""Serves the widget and its two demo pages (stdlib only).

- WEB_PORT (8080): a fictional council's page, and /widget.js itself.
- CHARITY_PORT (8081): a fictional charity's page on another origin, which
  embeds the widget from the council's server with the one script tag.

The pages are templates: {{RASA}} becomes the Rasa server's address and
{{WIDGET}} the widget's, both on the host name the browser used. That name
comes from the Host header, so only a plain host name or address is used
(anything else becomes "localhost"), and it is HTML-escaped as well.

Each page is sent with a Content-Security-Policy that allows exactly what
the page and the widget need: its own style sheet, the widget's script, and
the Rasa server for the chat. No inline script or style is allowed.
"""

import contextlib
import html
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
HTML = "text/html; charset=utf-8"
CSS = "text/css; charset=utf-8"
# A host name, an IPv4 address or a bracketed IPv6 address, with no port.
HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]")


def host_of(header):
    """The host name the browser used, if it is a plain one; else localhost."""
    host = (header or "").strip()
    host = host[: host.rindex(":")] if host.count(":") == 1 or host.startswith("[") and "]:" in host else host
    return host if HOST.fullmatch(host) else "localhost"


def policy(host, rasa_port, web_port):
    """The Content-Security-Policy of a demo page."""
    rasa = f"{host}:{rasa_port}"
    return (
        "default-src 'none'; "
        f"script-src http://{host}:{web_port}/widget.js; "
        "style-src 'self'; "
        f"connect-src http://{rasa} ws://{rasa}; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def handler_for(page: str):
    files = {
        "/": (page, HTML),
        f"/{page}": (page, HTML),
        "/widget.js": ("dist/widget.js", "text/javascript; charset=utf-8"),
        "/page.css": (page.replace(".html", ".css"), CSS),
    }

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
            headers = {}
            if kind == HTML:
                host = host_of(self.headers.get("Host"))
                rasa_port, web_port = os.environ.get("RASA_PORT", "5005"), os.environ.get("WEB_PORT", "8080")
                rasa = html.escape(f"http://{host}:{rasa_port}", quote=True)
                widget = html.escape(f"http://{host}:{web_port}/widget.js", quote=True)
                body = body.replace(b"{{RASA}}", rasa.encode()).replace(b"{{WIDGET}}", widget.encode())
                headers["Content-Security-Policy"] = policy(host, rasa_port, web_port)
                headers["Referrer-Policy"] = "no-referrer"
            return self._send(200, kind, body, headers)

        def _send(self, status, kind, body, headers=None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
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
    pages = [
        ("index.html", int(os.environ.get("WEB_PORT", "8080"))),
        ("charity.html", int(os.environ.get("CHARITY_PORT", "8081"))),
    ]
    servers = [ThreadingHTTPServer((bind, port), handler_for(page)) for page, port in pages]
    for page, port in pages:
        print(f"demo page {page} listening on {bind}:{port}", file=sys.stderr)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        servers[0].serve_forever()


if __name__ == "__main__":
    main()
