"""`make bench`: how often the bot understands, how fast it answers, what it costs.

Measures, in one run on this machine, and writes bench/results/bench.json,
bench/results/bench.md and bench/results/latency.png:

1. Understanding, on tests/nlu_holdout.yml (never trained on): accuracy,
   macro F1, the confusions that cost most, the fallback rate ("not sure"),
   the wrong-answer rate and missed safety messages, kept apart; and 5-fold
   cross-validation on the training data, scored the same way. Then
   bench/understanding.py on the tuning sets (tests/nlu_holdout.yml,
   tests/tuning/understanding.yml, tests/tuning/understanding_blind.yml,
   tests/tuning/two_questions.yml) and the blind evaluation set
   (tests/evaluation/understanding.yml): right topic (both, for two
   questions), "did you mean", wrong, wrong by confidence band; for ours
   and for Rasa's default pipeline trained on the same data.
2. The same held-out split for (a) Rasa's default pipeline (what `rasa init`
   gets) trained on our data and (b) a TF-IDF nearest-neighbour classifier.
3. Speed over REST for 1, 20 and 50 parents at once, each sending
   conversations of five messages, for our bot and for the stock `rasa init`
   assistant, one after the other. Our bot gets a realistic mix: held-out
   questions, long messages with context and two-question messages
   (bench/realistic_messages.yml), in turn.
4. Cost: cold training, retraining after one answer's text changes, model
   size, memory after the speed runs, start-up time until a message gets an answer.
5. Safety routes (bench/safety_eval.py): recall per route, the right first
   line, and false alarms (full route; one-line notes separately) on the
   blind evaluation set tests/evaluation/safety.yml, next to the tuning set.

Timed steps run alone; the models that are only compared (default
pipeline, folds, stock assistant) are trained two at a time first.
`--stages` runs some parts (without `cost`, models/current.tar.gz is used).

A benchmark, not a test: it prints figures and fails only if something does
not run. Targets are read off its output (issue #5, docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
RASA = str(ROOT / ".venv" / "bin" / "rasa")
PY = str(ROOT / ".venv" / "bin" / "python")
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # our NLU steps; the load client
from bench_load import percentile, send  # noqa: E402
from understanding import EVALUATION_SET, TUNING_SETS  # noqa: E402

ENV = dict(
    os.environ,
    RASA_TELEMETRY_ENABLED="false",
    TF_CPP_MIN_LOG_LEVEL="3",
    SQLALCHEMY_SILENCE_UBER_WARNING="1",
    PYTHONPATH=str(ROOT),
)
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
def examples(path: Path) -> List[Tuple[int, str, str]]:
    """(block number, intent, example line as written) for one NLU file;
    annotations like [30th](date) are kept."""
    return [
        (number, block["intent"], line.strip()[2:])
        for number, block in enumerate(yaml.safe_load(path.read_text()).get("nlu", []))
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def holdout() -> List[Tuple[str, str]]:
    return [(intent, text) for _, intent, text in examples(ROOT / "tests" / "nlu_holdout.yml")]


ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}")


def training_lines() -> List[Tuple[str, int, str, str]]:
    """(file name, block number, intent, example line) for every training example."""
    return [
        (path.name, *example) for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for example in examples(path)
    ]


def training() -> List[Tuple[str, str]]:
    return [(intent, ANNOTATION.sub(r"\1", text)) for _, _, intent, text in training_lines()]


SAFETY = {"child_in_danger", "parent_in_crisis"}  # 999 and crisis help: never missed


def scores(pairs: List[Tuple[str, str]]) -> Dict[str, object]:
    """pairs: (true intent, predicted intent). Fallback is counted apart."""
    from sklearn.metrics import f1_score

    truth = [t for t, _ in pairs]
    guess = [p for _, p in pairs]
    declined = sum(p == "nlu_fallback" for p in guess)
    wrong = sum(p not in (t, "nlu_fallback") for t, p in pairs)
    confusions = Counter((t, p) for t, p in pairs if p not in (t, "nlu_fallback")).most_common(5)
    safety = [(t, p) for t, p in pairs if t in SAFETY]
    return {
        "messages": len(pairs),
        "safety_messages": len(safety),
        "safety_missed": sum(p != t for t, p in safety),
        "accuracy": round(sum(t == p for t, p in pairs) / len(pairs), 3),
        "macro_f1": round(f1_score(truth, guess, labels=sorted(set(truth)), average="macro", zero_division=0), 3),
        "fallback_rate": round(declined / len(pairs), 3),
        "wrong_rate": round(wrong / len(pairs), 3),
        "top_confusions": [f"{t} -> {p} x{n}" for (t, p), n in confusions],
    }


PREDICT = r"""
import asyncio, json, sys
from rasa.core.agent import Agent
jobs = json.load(open(sys.argv[1]))
async def main():
    answers = []
    for job in jobs:
        agent = Agent.load(job["model"])
        out = []
        for text in job["texts"]:
            parsed = await agent.parse_message(text)
            name = parsed["intent"]["name"]
            selected = parsed.get("response_selector", {}).get(name)
            if selected:
                name = selected["response"]["intent_response_key"]
            top = next((r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"),
                       {"name": name, "confidence": 1.0})
            # Declined whatever the threshold: none of its words were seen in training.
            confidence = 0.0 if parsed.get("unknown_words") else top["confidence"]
            out.append({"intent": name, "top": top["name"], "confidence": confidence})
        answers.append(out)
    print("RESULT" + json.dumps(answers))
asyncio.run(main())
"""


def predict_many(jobs: List[Tuple[Path, List[str]]]) -> List[List[Dict]]:
    """For each (model, messages): each message's intent as the bot would
    take it (a retrieval intent's sub-intent when there is one), and the
    classifier's own top guess and confidence with the fallback left aside.
    One separate process for all, so TensorFlow starts once and the models
    are not kept in this process's memory."""
    spec = Path(tempfile.mkstemp(suffix=".json")[1])
    spec.write_text(json.dumps([{"model": str(m), "texts": t} for m, t in jobs]))
    try:
        result = subprocess.run(
            [PY, "-c", PREDICT, str(spec)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=1800
        )
    finally:
        spec.unlink()
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"predicting failed:\n{result.stderr[-3000:]}")
    return json.loads(line[len("RESULT") :])


def predict(model: Path, texts: List[str]) -> List[Dict]:
    return predict_many([(model, texts)])[0]


def nearest_neighbour(train: List[Tuple[str, str]], texts: List[str]) -> List[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ),
        KNeighborsClassifier(n_neighbors=1, metric="cosine"),
    )
    model.fit([t for _, t in train], [i for i, _ in train])
    return list(model.predict(texts))


def folds(work: Path, count: int = 5) -> List[Tuple[Path, List[Tuple[str, int, str, str]]]]:
    """Stratified folds of the training data (fixed seed): for each, a copy of
    data/nlu/ without the fold's examples, and those examples."""
    from sklearn.model_selection import StratifiedKFold

    lines = training_lines()
    split = StratifiedKFold(n_splits=count, shuffle=True, random_state=2026)
    out = []
    for fold, (_, test_index) in enumerate(split.split(lines, [intent for _, _, intent, _ in lines])):
        held = {lines[i] for i in test_index}
        fold_dir = work / f"fold-{fold}"
        fold_dir.mkdir()
        for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
            data = yaml.safe_load(path.read_text())
            for number, block in enumerate(data.get("nlu", [])):
                if "intent" in block:
                    kept = [
                        t
                        for f, n, _, t in lines
                        if f == path.name and n == number and (f, n, block["intent"], t) not in held
                    ]
                    block["examples"] = "".join(f"- {t}\n" for t in kept)
            (fold_dir / path.name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        out.append((fold_dir, [lines[i] for i in test_index]))
    return out


def train_nlu(work: Path, name: str, config: Path, nlu: Path, extra: List[str] = ()) -> Tuple[Path, float]:
    """An NLU-only model in work/, with its own cache; returns it and the seconds it took."""
    seconds = run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(nlu),
            "--fixed-model-name",
            name,
            "--out",
            str(work),
            *(extra or ["--domain", str(ROOT / "domain")]),
        ],
        env=dict(ENV, RASA_CACHE_DIRECTORY=str(work / f"cache-{name}")),
    )
    return next(work.glob(f"*{name}.tar.gz")), seconds


def cross_validation(fold_models: List[Tuple[Path, List[Tuple[str, int, str, str]]]]) -> Dict[str, object]:
    """Each fold's model scored on its fold, as the held-out set is scored."""
    answers = predict_many([(model, [ANNOTATION.sub(r"\1", t) for *_, t in tests]) for model, tests in fold_models])
    truth = [intent for _, tests in fold_models for _, _, intent, _ in tests]
    result = scores(list(zip(truth, [p["intent"] for fold in answers for p in fold], strict=True)))
    result["folds"] = len(fold_models)
    return result


# ------------------------------------------------------------------ speed
def wait_up(url: str, process: subprocess.Popen, limit: float = 300) -> float:
    started = time.monotonic()
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.monotonic() - started
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"a server stopped while starting ({url})") from None
            if time.monotonic() - started > limit:
                raise SystemExit(f"{url} did not answer in {limit}s") from None
            time.sleep(0.25)


def wait_for_an_answer(url: str, process: subprocess.Popen, limit: float = 180) -> float:
    """Seconds until a message gets a real answer: Rasa answers "/" before its
    model is ready, and the stock assistant's first "hello" came back empty."""
    started = time.monotonic()
    attempt = 0
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise SystemExit(f"the server at {url} stopped while starting")
        # A new conversation each time: ours needs a token for a second message.
        attempt += 1
        body = json.dumps({"sender": f"bench-ready-{os.getpid()}-{attempt}", "message": "hello"}).encode()
        request = urllib.request.Request(
            f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
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


CONVERSATION = 5  # messages per conversation: a new sender after each five


async def latency(
    url: str, messages: Messages, parents: int, per_parent: int, may_be_silent: bool = False
) -> Dict[str, float]:
    """Each parent sends per_parent messages, one after the other's reply,
    as conversations of CONVERSATION messages (real ones are 5 to 30)."""
    import aiohttp

    times: List[float] = []
    run_id = time.time_ns()
    batch = messages.take(parents * per_parent)

    async def parent(session, n):
        for i in range(per_parent):
            sender = f"bench-{run_id}-{n}-{i // CONVERSATION}"
            times.append(await send(session, url, sender, batch[n * per_parent + i], may_be_silent))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=parents)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(parent(session, n) for n in range(parents)))
        seconds = time.perf_counter() - started
    return {
        "parents": parents,
        "messages": len(times),
        "per_second": round(len(times) / seconds, 1),
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOADS = ((1, 100), (20, 10), (50, 6))  # (parents at once, messages each)
ROUNDS = 2  # the two bots take turns; each keeps its best round


class Server:
    """One bot under test: its Rasa server (and action server, for ours)."""

    def __init__(
        self,
        name: str,
        start: List[str],
        cwd: Path,
        port: int,
        messages: Messages,
        env: Dict,
        helpers: List[subprocess.Popen] = (),
        may_be_silent: bool = False,
    ) -> None:
        self.name, self.messages, self.helpers, self.may_be_silent = name, messages, list(helpers), may_be_silent
        self.url = f"http://127.0.0.1:{port}"
        log(f"Speed: starting {name}")
        self.process = subprocess.Popen(
            start, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.result: Dict[str, object] = {"runs": [None] * len(LOADS)}
        try:
            startup = wait_up(self.url + "/", self.process)
            startup += wait_for_an_answer(self.url, self.process)
            self.result["startup_s"] = round(startup, 1)
            asyncio.run(latency(self.url, messages, 1, 10, may_be_silent))  # warm-up
        except BaseException:
            self._kill()  # not started: speeds() cannot stop it
            raise

    def measure(self) -> None:
        for n, (parents, per) in enumerate(LOADS):
            before = cpu_seconds(self.process.pid)
            run_ = asyncio.run(latency(self.url, self.messages, parents, per, self.may_be_silent))
            run_["server_cpu_ms"] = round((cpu_seconds(self.process.pid) - before) / run_["messages"] * 1000, 1)
            best = self.result["runs"][n]
            if best is None or run_["per_second"] > best["per_second"]:
                self.result["runs"][n] = run_

    def stop(self) -> Dict[str, object]:
        self.result["rss_mb"] = rss_mb(self.process.pid)
        for helper in self.helpers:
            self.result["action_server_rss_mb"] = rss_mb(helper.pid)
        self._kill()
        return self.result

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # it may have stopped by itself
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(60)


# -------------------------------------------------------------------- main
def save_partial(results: Dict[str, object]) -> None:
    """What has been measured so far, kept if a later stage fails."""
    (OUT / "bench-partial.json").write_text(json.dumps(results, indent=2))


def cost(work: Path, results: Dict) -> Path:
    """Cold training on an empty cache, then a retrain after one answer's
    text changed. Returns the trained model."""
    log("Cost: cold training of our model (empty cache)")
    cache_env = dict(ENV, RASA_CACHE_DIRECTORY=str(work / "cache"))
    project = work / "ours"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(".venv*", "models", "results", "bench", "var", "web", ".git", "node_modules"),
    )
    cold = run(
        [RASA, "train", "--domain", "domain", "--fixed-model-name", "ours", "--out", str(work)],
        cwd=project,
        env=cache_env,
    )
    log("Cost: retraining after one answer's text changed")
    answers = project / "domain" / "after.yml"
    answers.write_text(answers.read_text().replace("A core group is a small group", "A core group is a small team", 1))
    retrain = run(
        [RASA, "train", "--domain", "domain", "--fixed-model-name", "ours-2", "--out", str(work)],
        cwd=project,
        env=cache_env,
    )
    model = work / "ours.tar.gz"
    results["cost"] = {
        "cold_training_s": round(cold, 1),
        "retrain_after_answer_change_s": round(retrain, 1),
        "model_mb": round(model.stat().st_size / 1e6, 1),
    }
    return model


def understanding(model: Path, default_model: Path, results: Dict) -> None:
    test_set = holdout()
    truth, texts = [i for i, _ in test_set], [t for _, t in test_set]
    log("Understanding: ours and Rasa's default pipeline on the held-out messages")
    answers = predict_many([(model, texts), (default_model, texts)])
    ours, default = (scores(list(zip(truth, [p["intent"] for p in a], strict=True))) for a in answers)
    log("Understanding: TF-IDF nearest neighbour")
    nn = scores(list(zip(truth, nearest_neighbour(training(), texts), strict=True)))
    results["understanding"] = {"ours": ours, "rasa_default_pipeline": default, "tfidf_nearest_neighbour": nn}
    log("Understanding: tuning and evaluation sets, ours and Rasa's default pipeline (bench/understanding.py)")
    results["understanding_sets"] = {
        name: scored_sets(m) for name, m in (("ours", model), ("rasa_default_pipeline", default_model))
    }


# The scorer's sets: settings are chosen on the tuning sets, never on the last.
SCORED_SETS = TUNING_SETS + (EVALUATION_SET,)
EVALUATION = EVALUATION_SET


def scored_sets(model: Path) -> Dict[str, Dict]:
    """bench/understanding.py's figures for one model on every scored set."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    try:
        result = subprocess.run(
            [
                PY,
                str(ROOT / "bench" / "understanding.py"),
                "--model",
                str(model),
                *[arg for name in SCORED_SETS for arg in ("--set", name)],
                "--json",
                str(out),
            ],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if result.returncode != 0:
            raise SystemExit(f"bench/understanding.py failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return json.loads(out.read_text())
    finally:
        out.unlink()


def train_stock(work: Path) -> Path:
    """Rasa's stock assistant, as `rasa init` makes and trains it."""
    stock_dir = work / "stock"
    stock_dir.mkdir()
    run(
        [RASA, "init", "--no-prompt", "--init-dir", str(stock_dir)],
        cwd=work,
        env=dict(ENV, RASA_CACHE_DIRECTORY=str(work / "cache-stock")),
    )
    return stock_dir


def speeds(work: Path, model: Path, stock_dir: Path, results: Dict, mix: str = "unseen") -> None:
    """Our bot (action server + Rasa, SQLite, as `make run`) and the stock
    `rasa init` assistant on the same machine. Each starts alone (start-up is
    timed); then they take turns, ROUNDS times, one measured while the other
    sits idle, and each keeps its best round: this machine's speed wanders
    by 20 % or more over minutes, and taking turns exposes both to it.

    ``mix`` "unseen" (the default): both bots get the same stream of messages,
    none sent twice to a server in one run (unseen_stream). "repeated": the
    bench before 2 December 2026, ours the 64 messages of realistic_mix() over
    and over, the stock assistant ten small-talk lines."""
    actions_port, ours_port, stock_port = free_port(), free_port(), free_port()
    env = dict(
        ENV,
        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
        TRACKER_DB=str(work / "bench.db"),
        CC_MESSAGES_PER_MINUTE="100000",
    )
    action_server = subprocess.Popen(
        [str(ROOT / ".venv-actions/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers: List[Server] = []
    try:
        wait_up(f"http://127.0.0.1:{actions_port}/health", action_server)
        servers.append(
            Server(
                "our bot",
                [
                    PY,
                    "-m",
                    "companion.server",
                    "run",
                    "--model",
                    str(model),
                    "--port",
                    str(ours_port),
                    "--endpoints",
                    "endpoints.yml",
                    "--credentials",
                    "credentials.yml",
                ],
                ROOT,
                ours_port,
                unseen_stream() if mix == "unseen" else Messages(realistic_mix()),
                env,
                [action_server],
            )
        )
        stock_messages = [
            "hello",
            "i am sad",
            "great",
            "bye",
            "are you a bot?",
            "good morning",
            "not good",
            "yes",
            "no",
            "very happy",
        ]
        servers.append(
            Server(
                "stock rasa init assistant",
                [RASA, "run", "--port", str(stock_port)],
                stock_dir,
                stock_port,
                unseen_stream() if mix == "unseen" else Messages(stock_messages),
                ENV,
                may_be_silent=True,
            )
        )
        for round_ in range(ROUNDS):
            for server in servers:
                log(f"Speed: {server.name}, round {round_ + 1} of {ROUNDS}")
                server.measure()
    finally:
        stopped = [server.stop() for server in servers]
        action_server.terminate()
        action_server.wait(30)
    results["speed"] = dict(zip(("ours", "stock"), stopped, strict=True))
    results["speed_mix"] = mix


def realistic_mix() -> List[str]:
    """Held-out questions, long messages and two-question messages, in turn
    (question, long, question, two questions, ...): half of them are longer
    or harder than the held-out set's short questions."""
    faq = [t for i, t in holdout() if i.startswith("ask_") and i != "ask_dates"][:40]
    extra = yaml.safe_load((ROOT / "bench" / "realistic_messages.yml").read_text(encoding="utf-8"))
    long, two = [" ".join(t.split()) for t in extra["long"]], extra["two_questions"]
    mix: List[str] = []
    for n in range(max(len(long), len(two))):
        mix += [faq[(2 * n) % len(faq)], long[n % len(long)], faq[(2 * n + 1) % len(faq)], two[n % len(two)]]
    return mix


class Messages:
    """The messages a server is sent, in order: ``take`` gives the next ones.
    A fixed list is gone through again and again (the "repeated" mix)."""

    def __init__(self, messages, repeat: bool = True) -> None:
        self._listed = list(messages) if repeat else None
        self._stream = iter(messages)
        self._at = 0

    def take(self, count: int) -> List[str]:
        if self._listed is not None:
            out = [self._listed[(self._at + i) % len(self._listed)] for i in range(count)]
            self._at += count
            return out
        return [next(self._stream) for _ in range(count)]


# Words put at the start of every sentence when a message is sent again: they
# change each sentence's tokens (so nothing the server remembers is reused)
# without changing what is asked. The k-th time round a pool uses the k-th.
FILLERS = ("um", "ok", "well", "erm", "right", "oh", "hmm", "hiya", "yeah", "look")
_SENTENCE = re.compile(r"(^|[.!?\n]\s*)(?=\w)")


def with_filler(text: str, word: str) -> str:
    """``word`` before each sentence of ``text``: "Hi. Can I..." -> "um Hi. um Can I..."."""
    return _SENTENCE.sub(lambda m: f"{m.group(1)}{word} ", text)


def unseen_pools() -> Tuple[List[str], List[str], List[str]]:
    """Parents' messages never trained on, by kind: short questions (the
    held-out set's and the blind tuning set's), long messages with context
    (over 200 characters: bench/realistic_messages.yml and the blind tuning
    set's) and two-question messages (bench/realistic_messages.yml and
    tests/tuning/two_questions.yml). Each in a fixed shuffled order."""
    import random

    extra = yaml.safe_load((ROOT / "bench" / "realistic_messages.yml").read_text(encoding="utf-8"))
    blind = yaml.safe_load((ROOT / "tests" / "tuning" / "understanding_blind.yml").read_text(encoding="utf-8"))
    two_set = yaml.safe_load((ROOT / "tests" / "tuning" / "two_questions.yml").read_text(encoding="utf-8"))
    blind_texts = [" ".join(m["text"].split()) for m in blind["messages"]]
    short = [t for i, t in holdout() if i.startswith("ask_")] + [t for t in blind_texts if len(t) <= 200]
    long = [" ".join(t.split()) for t in extra["long"]] + [t for t in blind_texts if len(t) > 200]
    two = [" ".join(t.split()) for t in extra["two_questions"]] + [m["text"] for m in two_set["messages"]]
    pools = []
    for n, pool in enumerate((short, long, two)):
        pool = list(dict.fromkeys(ANNOTATION.sub(r"\1", t) for t in pool))  # once each, as typed
        random.Random(2026 + n).shuffle(pool)
        pools.append(pool)
    return pools[0], pools[1], pools[2]


def unseen_stream() -> Messages:
    """Messages in the realistic mix's turn (question, long, question, two
    questions), none the same as another: each pool is gone through in order,
    and the k-th time round every sentence starts with FILLERS[k - 1]. A
    server is sent each at most once per run, so what it remembers from
    earlier messages never saves it a read (a real parent's message is new)."""
    short, long, two = unseen_pools()

    def endless(pool: List[str]):
        for k in range(len(FILLERS) + 1):
            for text in pool:
                yield text if k == 0 else with_filler(text, FILLERS[k - 1])
        raise SystemExit("the speed stage needs more unseen messages than its pools give")

    kinds = [endless(short), endless(long), endless(two)]
    order = (0, 1, 0, 2)

    def mixed():
        n = 0
        while True:
            yield next(kinds[order[n % 4]])
            n += 1

    return Messages(mixed(), repeat=False)


def ratios(results: Dict) -> Dict[str, float]:
    out = {}
    if "speed" in results and "stock" in results["speed"]:
        ours, stock = results["speed"]["ours"]["runs"], results["speed"]["stock"]["runs"]
        for o, s in zip(ours, stock, strict=True):
            out[f"throughput_{o['parents']}_parents"] = round(o["per_second"] / s["per_second"], 2)
        for o, s in zip(ours, stock, strict=True):
            out[f"p95_{o['parents']}_parents"] = round(o["p95_ms"] / s["p95_ms"], 2)
        for o, s in zip(ours, stock, strict=True):
            out[f"server_cpu_per_message_{o['parents']}_parents"] = round(o["server_cpu_ms"] / s["server_cpu_ms"], 2)
    if "understanding" in results:
        u = results["understanding"]
        out["macro_f1_vs_default"] = round(u["ours"]["macro_f1"] / max(u["rasa_default_pipeline"]["macro_f1"], 1e-9), 2)
        out["macro_f1_vs_nearest_neighbour"] = round(
            u["ours"]["macro_f1"] / max(u["tfidf_nearest_neighbour"]["macro_f1"], 1e-9), 2
        )
    return out


STAGES = ("cost", "understanding", "cv", "safety", "speed")


def safety(model: Path, results: Dict) -> None:
    """The danger routes on the blind evaluation set next to the tuning set
    (bench/safety_eval.py, scored by bench/safety_scores.py), in its own process."""
    log("Safety routes: the evaluation and tuning sets (tests/*/safety.yml)")
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    try:
        done = subprocess.run(
            [PY, str(ROOT / "bench" / "safety_eval.py"), "--model", str(model), "--json", str(out)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if done.returncode != 0:
            raise SystemExit(f"bench/safety_eval.py failed:\n{done.stderr[-3000:]}")
        results["safety"] = json.loads(out.read_text())
    finally:
        out.unlink()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--stages", default=",".join(STAGES), help="some of " + ",".join(STAGES) + " (without cost, --model is used)"
    )
    parser.add_argument(
        "--model",
        default=str(ROOT / "models" / "current.tar.gz"),
        help="the model to measure when the cost stage (which trains one) is not run",
    )
    parser.add_argument(
        "--mix",
        choices=("unseen", "repeated"),
        default="unseen",
        help="speed: the same never-repeated messages for both bots (default), or the bench before "
        "2 December 2026 (ours the 64 messages of the realistic mix over and over, stock small talk)",
    )
    args = parser.parse_args()
    stages = args.stages.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    results: Dict[str, object] = {"machine": f"{os.cpu_count()} cores", "stages": stages}
    started = time.monotonic()
    try:
        model = cost(work, results) if "cost" in stages else Path(args.model)
        save_partial(results)
        # Models that are compared, not timed: trained two at a time.
        log(
            "Training what we compare against, two at a time: Rasa's default pipeline, "
            "the 5 cross-validation folds, the stock assistant"
        )
        (work / "default.yml").write_text(DEFAULT_CONFIG)
        with ThreadPoolExecutor(max_workers=2) as pool:
            default_job = (
                pool.submit(train_nlu, work, "default", work / "default.yml", ROOT / "data" / "nlu")
                if "understanding" in stages
                else None
            )
            stock_job = pool.submit(train_stock, work) if "speed" in stages else None
            fold_jobs = (
                [
                    (pool.submit(train_nlu, work, f"fold-{n}", ROOT / "config.yml", fold_dir), tests)
                    for n, (fold_dir, tests) in enumerate(folds(work))
                ]
                if "cv" in stages
                else []
            )
        if default_job:
            understanding(model, default_job.result()[0], results)
            save_partial(results)
        if fold_jobs:
            log("Understanding: 5-fold cross-validation on the training data")
            results.setdefault("understanding", {})["cross_validation"] = cross_validation(
                [(job.result()[0], tests) for job, tests in fold_jobs]
            )
            save_partial(results)
        if "safety" in stages:
            safety(model, results)
            save_partial(results)
        if stock_job:
            speeds(work, model, stock_job.result(), results, args.mix)
        results["ratios"] = ratios(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["bench_minutes"] = round((time.monotonic() - started) / 60, 1)
    name = "bench" if set(stages) == set(STAGES) else "bench-" + "-".join(stages)
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (OUT / f"{name}.md").write_text(table)
    if "speed" in results:
        plot(results, OUT / f"{name.replace('bench', 'latency')}.png")
    print(table)
    return 0


def markdown(r: Dict) -> str:
    rows: List[str] = []
    u = r.get("understanding", {})
    if "ours" in u:
        rows += [
            "## Understanding (held-out messages, tests/nlu_holdout.yml)",
            "",
            "| | accuracy | macro F1 | not sure | wrong | safety missed |",
            "|---|---|---|---|---|---|",
        ]
        for name, key in (
            ("ours", "ours"),
            ("Rasa default pipeline", "rasa_default_pipeline"),
            ("TF-IDF nearest neighbour", "tfidf_nearest_neighbour"),
        ):
            x = u[key]
            rows.append(
                f"| {name} | {x['accuracy']} | {x['macro_f1']} | {x['fallback_rate']:.1%} | "
                f"{x['wrong_rate']:.1%} | {x['safety_missed']} of {x['safety_messages']} |"
            )
        rows += ["", "Costliest confusions (ours): " + ("; ".join(u["ours"]["top_confusions"]) or "none"), ""]
    sets = r.get("understanding_sets", {})
    if sets:
        rows += [
            "## Understanding by set (bench/understanding.py)",
            "",
            "Tuning sets: settings were chosen on them. Evaluation set: written blind, never trained "
            "or tuned on. Right: the topic asked (both, for two questions).",
            "",
            "| model | set | messages | right | one of two | did you mean | wrong | safety route |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, by_set in sets.items():
            for set_name, x in by_set.items():
                rows.append(
                    f"| {name} | {set_name} | {x['messages']} | {x['right']:.1%} | {x['one_of_two']:.1%} | "
                    f"{x['did_you_mean']:.1%} | {x['wrong']:.1%} | {x['safety_route']:.1%} |"
                )
        ours_eval = sets.get("ours", {}).get(EVALUATION)
        if ours_eval:
            rows += [
                "",
                f"Wrong answers by the classifier's confidence (ours, {EVALUATION}):",
                "",
                "| confidence | messages | answered | wrong |",
                "|---|---|---|---|",
            ]
            for band, c in sorted(ours_eval["wrong_by_confidence"].items()):
                rows.append(f"| {band} | {c.get('messages', 0)} | {c.get('answered', 0)} | {c.get('wrong', 0)} |")
            rows += [
                "",
                f"Two-question messages (ours, evaluation): {ours_eval['two_question_messages']}; "
                f"over 40 words: {ours_eval['long_messages_over_40_words']}",
                "",
            ]
    if "cross_validation" in u:
        cv = u["cross_validation"]
        rows += [
            f"5-fold cross-validation (ours, training data): macro F1 {cv['macro_f1']}, accuracy "
            f"{cv['accuracy']}, not sure {cv['fallback_rate']:.1%}, wrong {cv['wrong_rate']:.1%}.",
            "",
        ]
    if "safety" in r:
        from safety_scores import table as safety_table

        rows += [
            "## Safety routes (tests/evaluation/safety.yml, blind; tests/tuning/safety.yml)",
            "",
            safety_table([("evaluation set", r["safety"]["evaluation"]), ("tuning set", r["safety"]["tuning"])]),
            "Evaluation misses (route, kind: what it got): "
            + (
                "; ".join(f"{m['route']}, {m['kind']}: {m['got']}" for m in r["safety"]["evaluation"]["missed"])
                or "none"
            ),
            "",
        ]
    s = r.get("speed", {})
    if s:
        rows += [
            "## Speed (REST, this machine, conversations of 5 messages)",
            "",
            (
                "Both bots: the same messages, none sent twice to a server (held-out and blind tuning "
                "questions, long and two-question messages, in turn; bench/benchmark.py unseen_stream)."
                if r.get("speed_mix", "unseen") == "unseen"
                else "Ours: the realistic mix (held-out questions, long and two-question messages, "
                "bench/realistic_messages.yml) over and over; stock: its own small-talk messages."
            ),
            "",
            f"Best of {ROUNDS} rounds each, the two bots taking turns. Server CPU: the Rasa "
            "server's own CPU time per message.",
            "",
            "| | parents | messages/s | p50 | p95 | p99 | server CPU |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in s:
            for run_ in s[name]["runs"]:
                rows.append(
                    f"| {name} | {run_['parents']} | {run_['per_second']} | {run_['p50_ms']} ms | "
                    f"{run_['p95_ms']} ms | {run_['p99_ms']} ms | {run_.get('server_cpu_ms')} ms |"
                )
        rows += [
            "",
            f"- memory after the runs: Rasa {s['ours']['rss_mb']} MB, action server "
            f"{s['ours'].get('action_server_rss_mb')} MB"
            + (f"; stock Rasa {s['stock']['rss_mb']} MB" if "stock" in s else ""),
            f"- start-up until it answers: ours {s['ours']['startup_s']} s"
            + (f", stock {s['stock']['startup_s']} s" if "stock" in s else ""),
            "",
        ]
    if "cost" in r:
        c = r["cost"]
        rows += [
            "## Cost",
            "",
            f"- cold training {c['cold_training_s']} s; retraining after one answer's text "
            f"changed {c['retrain_after_answer_change_s']} s; model {c['model_mb']} MB",
            "",
        ]
    if r.get("ratios"):
        rows += ["## Ratios (ours / the other)", ""] + [f"- {k}: {v}" for k, v in r["ratios"].items()]
    return "\n".join(rows) + "\n"


def plot(r: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, style in (("ours", "-o"), ("stock", "--s")):
        if name not in r["speed"]:
            continue
        runs = r["speed"][name]["runs"]
        ax.plot([x["parents"] for x in runs], [x["p95_ms"] for x in runs], style, label=f"{name} p95")
        ax.plot([x["parents"] for x in runs], [x["p50_ms"] for x in runs], style, alpha=0.4, label=f"{name} p50")
    ax.set_xlabel("parents at once")
    ax.set_ylabel("time per message (ms)")
    ax.set_title("REST latency: Conference Companion vs stock rasa init")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    raise SystemExit(main())
