"""`scripts/run`, as `make run` calls it: starts everything, prints the
address, serves the demo page, and Ctrl-C stops every process it started."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT, free_port, kill_launcher, listening_addresses, post_message, start_launcher


def answers(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_everything_and_ctrl_c_stops_it(tmp_path):
    ports = {
        "RASA_PORT": free_port(),
        "ACTIONS_PORT": free_port(),
        "WEB_PORT": free_port(),
        "CHARITY_PORT": free_port(),
    }
    env = dict(
        os.environ,
        **{k: str(v) for k, v in ports.items()},
        TRACKER_DB=str(tmp_path / "conversations.db"),
        LOG_LEVEL="INFO",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        ENABLE_API="1",
        RASA_API_TOKEN="launcher-test-token",
    )
    env.pop("ACTION_SERVER_URL", None)
    env.pop("ACTIONS_HOST", None)  # the default is what is tested
    launcher = start_launcher(env, tmp_path / "run.out")
    try:
        printed = (tmp_path / "run.out").read_text()
        assert f"Open:  http://localhost:{ports['WEB_PORT']}" in printed

        assert listening_addresses(ports["ACTIONS_PORT"]) == {"127.0.0.1"}, "action server not on loopback"
        assert listening_addresses(ports["WEB_PORT"]) == {"127.0.0.1"}
        assert listening_addresses(ports["RASA_PORT"]) == {"0.0.0.0"}

        web = f"http://127.0.0.1:{ports['WEB_PORT']}"
        page = urllib.request.urlopen(web + "/").read().decode()
        assert "Conference Companion" in page
        assert f'data-server="http://127.0.0.1:{ports["RASA_PORT"]}"' in page
        assert urllib.request.urlopen(web + "/widget.js").status == 200
        charity = urllib.request.urlopen(f"http://127.0.0.1:{ports['CHARITY_PORT']}/").read().decode()
        assert f'src="http://127.0.0.1:{ports["WEB_PORT"]}/widget.js"' in charity

        reply = post_message(f"http://127.0.0.1:{ports['RASA_PORT']}", "launcher-test", "what is a core group")
        assert reply[0]["text"].startswith("A core group is a small group")

        # CORS: the demo page's origin is allowed, another site's is not.
        webhook = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"

        def allowed_origin(origin):
            request = urllib.request.Request(
                webhook, method="OPTIONS", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
            )
            with urllib.request.urlopen(request) as reply:
                return reply.headers.get("Access-Control-Allow-Origin")

        demo = f"http://localhost:{ports['WEB_PORT']}"
        assert allowed_origin(demo) == demo
        assert allowed_origin("https://evil.example") is None

        # The HTTP API was asked for, so it is on, and only with the token.
        status = f"http://127.0.0.1:{ports['RASA_PORT']}/status"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(status)
        assert refused.value.code == 401
        assert urllib.request.urlopen(status + "?token=launcher-test-token").status == 200

        # Ctrl-C, sent to the launcher alone: it must stop what it started.
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(answers(p) for p in ports.values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        still_up = [name for name, p in ports.items() if answers(p)]
        assert still_up == [], f"still listening after Ctrl-C: {still_up}"
    finally:
        kill_launcher(launcher)


def test_run_refuses_a_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = dict(
            os.environ,
            RASA_PORT=str(port),
            ACTIONS_PORT=str(free_port()),
            WEB_PORT=str(free_port()),
            CHARITY_PORT=str(free_port()),
        )
        result = subprocess.run(
            [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr


def test_run_refuses_an_api_without_a_token():
    env = dict(
        os.environ, ENABLE_API="1", RASA_PORT=str(free_port()), ACTIONS_PORT=str(free_port()), WEB_PORT=str(free_port())
    )
    env.pop("RASA_API_TOKEN", None)
    env.pop("RASA_JWT_SECRET", None)
    result = subprocess.run(
        [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "ENABLE_API=1 needs RASA_API_TOKEN or RASA_JWT_SECRET" in result.stderr
    assert "Starting" not in result.stdout
