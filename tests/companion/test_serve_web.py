"""The demo pages' server: the Host header cannot inject markup, and every
page has a Content-Security-Policy (issue #15)."""

import http.client
import runpy
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

SERVE = runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "serve_web.py"))


@pytest.fixture(scope="module")
def council():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SERVE["handler_for"]("index.html"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def get(port, path="/", host=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host if host is not None else f"localhost:{port}")
    connection.endheaders()
    response = connection.getresponse()
    return response, response.read().decode()


@pytest.mark.parametrize(
    "host",
    ['evil"><script>alert(1)</script>', "a b", "x.example/<img src=x>", "", "localhost:1:2", "'onload='alert(1)"],
)
def test_a_strange_host_header_becomes_localhost(council, host):
    response, page = get(council, host=host)
    assert response.status == 200
    assert "<script>alert" not in page and "<img" not in page and "onload" not in page
    assert 'src="http://localhost:' in page and 'data-server="http://localhost:' in page


def test_a_plain_host_name_is_used(council):
    _, page = get(council, host="chat.example.org:8080")
    assert 'data-server="http://chat.example.org:' in page


def test_pages_have_a_strict_content_security_policy(council):
    response, page = get(council)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src http://localhost:" in csp and "connect-src http://localhost:" in csp
    assert "<style" not in page and 'rel="stylesheet" href="/page.css"' in page
    style, css = get(council, "/page.css")
    assert style.status == 200 and style.headers["Content-Type"].startswith("text/css") and "body" in css
    assert "<script>" not in page.replace("<script src=", "")
