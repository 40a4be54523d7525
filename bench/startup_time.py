"""How long a Rasa server takes to start: from launching
`python -m companion.server run` (as scripts/run does) to its port answering
(GET /, what the supervision test waits for) and to its readiness check
answering 200 (GET /webhooks/ready/: the model reads a message), with the
CPU seconds the server used until then (from /proc: a figure that does not
depend on what else the machine is doing).

    .venv/bin/python bench/startup_time.py [--model models/current.tar.gz] [--runs 3]

Each run has its own empty SQLite conversation store; no action server is
needed (readiness is NLU only). Run it on a quiet machine, and say so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(model: str, endpoints: str, log: Path) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            TRACKER_DB=str(Path(tmp) / "conversations.db"),
            ACTION_SERVER_URL="http://127.0.0.1:9/webhook",
            RASA_TELEMETRY_ENABLED="false",
        )
        command = [sys.executable, "-m", "companion.server", "run", "--model", model, "--port", str(port)]
        command += ["--endpoints", endpoints, "--credentials", "credentials.yml", "--cors", "*"]
        started = time.monotonic()
        with log.open("w") as out:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            up = ready = None
            while ready is None and time.monotonic() - started < 300:
                if server.poll() is not None:
                    raise SystemExit(f"The server stopped while starting; its log: {log}")
                if up is None and answers(f"http://127.0.0.1:{port}/"):
                    up = time.monotonic() - started
                if up is not None and answers(f"http://127.0.0.1:{port}/webhooks/ready/"):
                    ready = time.monotonic() - started
                    cpu = cpu_seconds(server.pid)
                time.sleep(0.05)
            if ready is None:
                raise SystemExit(f"The server was not ready within 300 s; its log: {log}")
            return {"up": up, "ready": ready, "cpu": cpu}
        finally:
            server.terminate()
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/current.tar.gz")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--log", default="var/log/startup-time.log")
    args = parser.parse_args()
    log = ROOT / args.log
    log.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for n in range(args.runs):
        result = one_start(args.model, args.endpoints, log)
        results.append(result)
        print(f"run {n + 1}: port up {result['up']:.1f} s, ready {result['ready']:.1f} s, CPU {result['cpu']:.1f} s")
    print(
        "median: port up {:.1f} s, ready {:.1f} s, CPU {:.1f} s".format(
            *(statistics.median(r[k] for r in results) for k in ("up", "ready", "cpu"))
        )
    )


if __name__ == "__main__":
    main()
