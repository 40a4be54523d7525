"""The staff pages run as a real process (python -m staff) over a seeded tracker database."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from seed import noon_today, seed  # noqa: E402, F401 (noon_today: for the test files)

PASSWORD = "a long staff password 2026"
SECRET = secrets.token_urlsafe(40)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_user(users: Path, name: str, password: str = PASSWORD) -> None:
    env = dict(os.environ, STAFF_USERS=str(users), STAFF_PASSWORD=password, STAFF_SECRET=SECRET)
    done = subprocess.run(
        [sys.executable, "-m", "staff.accounts", name], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


class Server:
    def __init__(self, tmp: Path, extra_env=None) -> None:
        self.tmp = tmp
        self.tracker = tmp / "conversations.db"
        self.staff_db = tmp / "staff.db"
        self.users = tmp / "users.json"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            TRACKER_DB=str(self.tracker),
            STAFF_DB=f"sqlite:///{self.staff_db}",
            STAFF_USERS=str(self.users),
            STAFF_SECRET=SECRET,
            STAFF_PORT=str(self.port),
            ENDPOINTS=str(ROOT / "endpoints.yml"),
            **(extra_env or {}),
        )
        self.env.pop("STAFF_INSECURE_COOKIES", None)
        self.env.pop("STAFF_PUBLIC_SUMMARY", None)
        self.env.update(extra_env or {})
        self.process = None

    def start(self, expect_up: bool = True):
        with open(self.tmp / f"staff-{self.port}.log", "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "staff"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not expect_up:
            self.process.wait(60)
            return self.process.returncode
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.log()
            try:
                if requests.get(self.url + "/health", timeout=2).text == "ok":
                    return 0
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.5)

    def log(self) -> str:
        return (self.tmp / f"staff-{self.port}.log").read_text()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(15)


class Browser:
    """A client that keeps cookies as a browser on http://localhost does: Secure ones too."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookies = {}
        self.set_cookie_headers = []

    def _remember(self, resp) -> None:
        for header in resp.raw.headers.getlist("Set-Cookie"):
            self.set_cookie_headers.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r"(?i)max-age=0\b", header) or re.search(r"(?i)expires=thu, 01 jan 1970", header):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def request(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        resp = requests.request(
            method, self.server.url + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self._remember(resp)
        return resp

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def sign_in(self, user: str = "alice", password: str = PASSWORD, next_path: str = ""):
        page = self.get("/signin" + (("?" + urlencode({"next": next_path})) if next_path else ""))
        return self.post(
            "/signin",
            {"csrf": self.csrf(page.text), "username": user, "password": password, "next": next_path or "/insights"},
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staff")
    s = Server(tmp)
    s.seeded = seed(f"sqlite:///{s.tracker}", noon_today())
    add_user(s.users, "alice")
    add_user(s.users, "bob")
    add_user(s.users, "carol")
    s.start()
    yield s
    s.stop()


@pytest.fixture()
def browser(server):
    return Browser(server)


@pytest.fixture()
def signed_in(server):
    b = Browser(server)
    resp = b.sign_in()
    assert resp.status_code == 303, resp.text
    return b
