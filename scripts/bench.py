"""`make bench`: how often the bot understands, how fast it answers, what it costs.

Measures, in one run on this machine, and writes bench/results/bench.json,
bench/results/bench.md and bench/results/latency.png:

1. Understanding, on tests/nlu_holdout.yml (never trained on): accuracy,
   macro F1, the confusions that cost most, the fallback rate ("not sure")
   and the wrong-answer rate, kept apart; and 5-fold cross-validation on the
   training data.
2. The same held-out split for (a) Rasa's default pipeline (what `rasa init`
   gets) trained on our data and (b) a TF-IDF nearest-neighbour classifier.
3. Speed over REST for 1, 20 and 50 parents at once, for our bot and for the
   stock `rasa init` assistant, started side by side.
4. Cost: cold training, retraining after one answer's text changes, model
   size, memory after warm-up, start-up time.

A benchmark, not a test: it prints figures and fails only if something does
not run. Targets are read off its output (issue #5).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
RASA = str(ROOT / ".venv" / "bin" / "rasa")
PY = str(ROOT / ".venv" / "bin" / "python")
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]     # our NLU steps; the load client
from bench_load import percentile, send  # noqa: E402

ENV = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3",
           SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONPATH=str(ROOT))
# What `rasa init` writes: an empty pipeline and policy list, so Rasa's
# defaults are used (DIET with transformer layers, ResponseSelector, TED...).
DEFAULT_CONFIG = "recipe: default.v1\nlanguage: en\nassistant_id: default-pipeline\npipeline:\npolicies:\n"


def log(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(command: List[str], cwd: Path = ROOT, env: Dict = None, timeout: int = 1800) -> float:
    """Runs a command; returns how long it took in seconds."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------ understanding
def holdout() -> List[Tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests" / "nlu_holdout.yml").read_text())
    return [(block["intent"], line[2:].strip()) for block in data["nlu"]
            for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def training() -> List[Tuple[str, str]]:
    pairs = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                pairs += [(block["intent"], re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", line[2:].strip()))
                          for line in block["examples"].splitlines() if line.strip().startswith("- ")]
    return pairs


def scores(pairs: List[Tuple[str, str]]) -> Dict[str, object]:
    """pairs: (true intent, predicted intent). Fallback is counted apart."""
    from sklearn.metrics import f1_score
    truth = [t for t, _ in pairs]
    guess = [p for _, p in pairs]
    declined = sum(p == "nlu_fallback" for p in guess)
    wrong = sum(p not in (t, "nlu_fallback") for t, p in pairs)
    confusions = Counter((t, p) for t, p in pairs if p not in (t, "nlu_fallback")).most_common(5)
    return {"messages": len(pairs),
            "accuracy": round(sum(t == p for t, p in pairs) / len(pairs), 3),
            "macro_f1": round(f1_score(truth, guess, labels=sorted(set(truth)), average="macro",
                                       zero_division=0), 3),
            "fallback_rate": round(declined / len(pairs), 3),
            "wrong_rate": round(wrong / len(pairs), 3),
            "top_confusions": [f"{t} -> {p} x{n}" for (t, p), n in confusions]}


def predict_with(model: Path, texts: List[str]) -> List[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all():
        return [(await agent.parse_message(text))["intent"]["name"] for text in texts]
    return asyncio.run(parse_all())


def nearest_neighbour(train: List[Tuple[str, str]], texts: List[str]) -> List[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline, make_union
    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        KNeighborsClassifier(n_neighbors=1, metric="cosine"))
    model.fit([t for _, t in train], [i for i, _ in train])
    return list(model.predict(texts))


def cross_validation(workdir: Path) -> Dict[str, object]:
    out = workdir / "cv"
    run([RASA, "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
         "--folds", "5", "--out", str(out)], timeout=3600)
    report = json.loads((out / "intent_report.json").read_text())
    return {"folds": 5, "macro_f1": round(report["macro avg"]["f1-score"], 3),
            "accuracy": round(report["accuracy"], 3)}


# ------------------------------------------------------------------ speed
def wait_up(url: str, process: subprocess.Popen, limit: float = 300) -> float:
    started = time.monotonic()
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.monotonic() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"a server stopped while starting ({url})")
            if time.monotonic() - started > limit:
                raise SystemExit(f"{url} did not answer in {limit}s")
            time.sleep(0.25)


def wait_for_an_answer(url: str, process: subprocess.Popen, limit: float = 180) -> float:
    """Seconds until a message gets a real answer: Rasa answers "/" before its
    model is ready, and the stock assistant's first "hello" came back empty."""
    started = time.monotonic()
    body = json.dumps({"sender": "bench-ready", "message": "hello"}).encode()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"the server at {url} stopped while starting")
        request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                if json.loads(reply.read()):
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} gave no answer in {limit}s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def latency(url: str, messages: List[str], parents: int, per_parent: int) -> Dict[str, float]:
    import aiohttp
    times: List[float] = []

    async def parent(session, n):
        sender = f"bench-{parents}-{n}-{time.time_ns()}"
        for i in range(per_parent):
            times.append(await send(session, url, sender, messages[(n + i) % len(messages)]))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=parents)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(parent(session, n) for n in range(parents)))
        seconds = time.perf_counter() - started
    return {"parents": parents, "messages": len(times), "per_second": round(len(times) / seconds, 1),
            "p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1)}


def speed(name: str, start: List[str], cwd: Path, port: int, messages: List[str],
          env: Dict, extra: List[subprocess.Popen] = ()) -> Dict[str, object]:
    log(f"Speed: {name}")
    process = subprocess.Popen(start, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        startup = wait_up(url + "/", process)
        startup += wait_for_an_answer(url, process)
        # Warm up: a few messages from one parent, then measure.
        asyncio.run(latency(url, messages, 1, 10))
        result = {"startup_s": round(startup, 1), "rss_mb": rss_mb(process.pid),
                  "runs": [asyncio.run(latency(url, messages, parents, per))
                           for parents, per in ((1, 100), (20, 10), (50, 6))]}
        for extra_process in extra:
            result["action_server_rss_mb"] = rss_mb(extra_process.pid)
        return result
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


# -------------------------------------------------------------------- main
def save_partial(results: Dict[str, object]) -> None:
    """What has been measured so far, kept if a later stage fails."""
    (OUT / "bench-partial.json").write_text(json.dumps(results, indent=2))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    results: Dict[str, object] = {"machine": f"{os.cpu_count()} cores"}
    try:
        test_set = holdout()
        texts = [t for _, t in test_set]

        log("Cost: cold training of our model (empty cache)")
        cold_env = dict(ENV, RASA_CACHE_DIRECTORY=str(work / "cache"))
        project = work / "ours"
        shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
            ".venv*", "models", "results", "bench", "var", "web", ".git", "node_modules"))
        cold = run([RASA, "train", "--fixed-model-name", "ours", "--out", str(work)], cwd=project, env=cold_env)
        domain = (project / "domain.yml").read_text()
        (project / "domain.yml").write_text(domain.replace("A core group is a small group",
                                                           "A core group is a small team", 1))
        retrain = run([RASA, "train", "--fixed-model-name", "ours-2", "--out", str(work)], cwd=project,
                      env=cold_env)
        model = work / "ours.tar.gz"
        results["cost"] = {"cold_training_s": round(cold, 1), "retrain_after_answer_change_s": round(retrain, 1),
                           "model_mb": round(model.stat().st_size / 1e6, 1)}

        log("Understanding: our model on the held-out messages")
        ours = scores(list(zip([i for i, _ in test_set], predict_with(model, texts))))
        log("Understanding: Rasa's default pipeline, trained on our data")
        (work / "default.yml").write_text(DEFAULT_CONFIG)
        default_time = run([RASA, "train", "nlu", "--config", str(work / "default.yml"), "--nlu", "data/nlu",
                            "--fixed-model-name", "default", "--out", str(work)], env=cold_env)
        default_model = next(work.glob("*default.tar.gz"))
        default = scores(list(zip([i for i, _ in test_set], predict_with(default_model, texts))))
        default["training_s"] = round(default_time, 1)
        log("Understanding: TF-IDF nearest neighbour")
        nn = scores(list(zip([i for i, _ in test_set], nearest_neighbour(training(), texts))))
        log("Understanding: 5-fold cross-validation on the training data")
        results["understanding"] = {"ours": ours, "rasa_default_pipeline": default, "tfidf_nearest_neighbour": nn}
        save_partial(results)
        results["understanding"]["cross_validation"] = cross_validation(work)
        save_partial(results)

        # Speed: our bot (action server + Rasa, SQLite) and the stock assistant.
        faq = [t for i, t in test_set if i.startswith("ask_") and i != "ask_dates"][:40]
        actions_port, ours_port = free_port(), free_port()
        env = dict(ENV, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                   TRACKER_DB=str(work / "bench.db"), CC_MESSAGES_PER_MINUTE="100000")
        action_server = subprocess.Popen([str(ROOT / ".venv-actions/bin/python"), "-m", "rasa_sdk", "--actions",
                                          "actions", "--port", str(actions_port)], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(f"http://127.0.0.1:{actions_port}/health", action_server)
            ours_speed = speed("our bot", [RASA, "run", "--model", str(model), "--port", str(ours_port),
                                           "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                               ROOT, ours_port, faq, env, [action_server])
        finally:
            action_server.terminate()
            action_server.wait(30)
        results["speed"] = {"ours": ours_speed}
        save_partial(results)
        log("Stock assistant: rasa init (trains its own model)")
        stock_dir = work / "stock"
        stock_dir.mkdir()
        stock_train = run([RASA, "init", "--no-prompt", "--init-dir", str(stock_dir)], cwd=work, env=cold_env)
        stock_port = free_port()
        stock_messages = ["hello", "i am sad", "great", "bye", "are you a bot?", "good morning",
                          "not good", "yes", "no", "very happy"]
        stock_speed = speed("stock rasa init assistant", [RASA, "run", "--port", str(stock_port)], stock_dir,
                            stock_port, stock_messages, ENV)
        stock_speed["training_s"] = round(stock_train, 1)
        results["speed"] = {"ours": ours_speed, "stock": stock_speed}
        one = lambda r: r["runs"][0]
        results["ratios"] = {
            "throughput_1_parent": round(one(ours_speed)["per_second"] / one(stock_speed)["per_second"], 2),
            "throughput_20_parents": round(ours_speed["runs"][1]["per_second"] /
                                           stock_speed["runs"][1]["per_second"], 2),
            "macro_f1_vs_default": round(ours["macro_f1"] / max(default["macro_f1"], 1e-9), 2),
            "macro_f1_vs_nearest_neighbour": round(ours["macro_f1"] / max(nn["macro_f1"], 1e-9), 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (OUT / "bench.md").write_text(table)
    plot(results)
    print(table)
    return 0


def markdown(r: Dict) -> str:
    u, s, c, ratio = r["understanding"], r["speed"], r["cost"], r["ratios"]
    rows = ["## Understanding (held-out messages)", "",
            "| | accuracy | macro F1 | not sure | wrong |", "|---|---|---|---|---|"]
    for name, key in (("ours", "ours"), ("Rasa default pipeline", "rasa_default_pipeline"),
                      ("TF-IDF nearest neighbour", "tfidf_nearest_neighbour")):
        x = u[key]
        rows.append(f"| {name} | {x['accuracy']} | {x['macro_f1']} | {x['fallback_rate']:.1%} | {x['wrong_rate']:.1%} |")
    rows += ["", f"5-fold cross-validation (ours): macro F1 {u['cross_validation']['macro_f1']}.",
             "Costliest confusions: " + "; ".join(u["ours"]["top_confusions"]), "",
             "## Speed (REST, this machine)", "", "| | parents | messages/s | p50 | p95 | p99 |",
             "|---|---|---|---|---|---|"]
    for name in ("ours", "stock"):
        for run_ in s[name]["runs"]:
            rows.append(f"| {name} | {run_['parents']} | {run_['per_second']} | {run_['p50_ms']} ms | "
                        f"{run_['p95_ms']} ms | {run_['p99_ms']} ms |")
    rows += ["", "## Cost", "",
             f"- cold training {c['cold_training_s']} s; retraining after one answer's text changed "
             f"{c['retrain_after_answer_change_s']} s; model {c['model_mb']} MB",
             f"- memory after warm-up: Rasa {s['ours']['rss_mb']} MB, action server "
             f"{s['ours'].get('action_server_rss_mb')} MB (stock Rasa {s['stock']['rss_mb']} MB)",
             f"- start-up until it answers: ours {s['ours']['startup_s']} s, stock {s['stock']['startup_s']} s",
             "", "## Ratios", ""] + [f"- {k}: {v}" for k, v in ratio.items()]
    return "\n".join(rows) + "\n"


def plot(r: Dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, style in (("ours", "-o"), ("stock", "--s")):
        runs = r["speed"][name]["runs"]
        ax.plot([x["parents"] for x in runs], [x["p95_ms"] for x in runs], style,
                label=f"{name} p95")
        ax.plot([x["parents"] for x in runs], [x["p50_ms"] for x in runs], style, alpha=0.4,
                label=f"{name} p50")
    ax.set_xlabel("parents at once")
    ax.set_ylabel("time per message (ms)")
    ax.set_title("REST latency: Conference Companion vs stock rasa init")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "latency.png", dpi=120)


if __name__ == "__main__":
    raise SystemExit(main())
