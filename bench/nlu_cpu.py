"""The NLU's CPU time a message, on messages the process has never read.

    .venv/bin/python bench/nlu_cpu.py --model models/current.tar.gz [--count 300] [--out parses.json]

Loads the model in one process (`Agent.parse_message`) as the server runs
it (our patches installed, one BLAS thread, logging at INFO, the loaded
model frozen for the garbage collector), reads `--warm` messages of the
speed bench's stream (bench/benchmark.py unseen_stream) to warm up, then
times the next `--count`: each is new to the process, so no store of sentence vectors saves
it a read. Prints the CPU time a message (the process's, all threads), the
part spent in the sentence model's six-layer passes, and how many passes
and tokens a message sends through them. `--out` writes every parse (the
text left out), so two codes can be compared message by message
(`--compare a.json b.json`: intents, rankings, entities and the safety
check's output the same, confidences within `--tolerance`).

Heavy (a minute or two of CPU): run it under the training lock.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


class PassCounter:
    """Wraps SentenceEncoder._encode_all: passes, tokens and CPU time."""

    def __init__(self) -> None:
        self.passes = self.tokens = 0
        self.seconds = 0.0

    def install(self) -> None:
        from companion.sentence_model import SentenceEncoder

        encode_all = SentenceEncoder._encode_all
        counter = self

        def counted(encoder: Any, texts: Any, contextual: bool) -> Any:
            start = time.thread_time()
            try:
                return encode_all(encoder, texts, contextual)
            finally:
                if contextual:
                    counter.passes += 1
                    counter.tokens += sum(len(ids) for ids in texts)
                    counter.seconds += time.thread_time() - start

        SentenceEncoder._encode_all = counted  # type: ignore[method-assign]


async def measure(model: str, texts: List[str], warm: List[str], profile: str | None) -> Dict[str, Any]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from companion import patches
    from companion.sentence_model import use_one_blas_thread

    patches.install()  # as companion/server.py runs Rasa (the graph run without dask, ...)
    # As the server runs (INFO): no debug line a message to format and print.
    logging.getLogger().setLevel(logging.INFO)
    configure_structlog(logging.INFO)
    use_one_blas_thread()
    counter = PassCounter()
    counter.install()
    agent = Agent.load(model)
    # As the server does once the model has loaded (companion/patches.py,
    # 12): the collector's full passes no longer walk the model.
    gc.collect()
    gc.freeze()
    for text in warm:
        await agent.parse_message(text)
    counter.passes = counter.tokens = 0
    counter.seconds = 0.0
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    each, parses = [], []
    for text in texts:
        start = time.process_time()
        parsed = await agent.parse_message(text)
        each.append(time.process_time() - start)
        parses.append({k: v for k, v in parsed.items() if k != "text"})
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    n = len(texts)
    ms = sorted(1000 * s for s in each)
    return {
        "messages": n,
        "nlu_ms_mean": round(statistics.fmean(ms), 2),
        "nlu_ms_median": round(statistics.median(ms), 2),
        "nlu_ms_p95": round(ms[int(0.95 * (n - 1))], 2),
        "six_layer_ms": round(1000 * counter.seconds / n, 2),
        "passes": round(counter.passes / n, 3),
        "tokens": round(counter.tokens / n, 1),
        "load_average": os.getloadavg()[0],
        "parses": parses,
    }


def differences(a: List[Dict], b: List[Dict], tolerance: float) -> List[str]:
    """Where two runs' parses differ beyond ``tolerance`` in a confidence."""
    found = []

    def walk(x: Any, y: Any, where: str) -> None:
        if isinstance(x, float) and isinstance(y, float):
            if abs(x - y) > tolerance:
                found.append(f"{where}: {x} != {y}")
        elif isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                found.append(f"{where}: keys {sorted(x)} != {sorted(y)}")
            for k in x.keys() & y.keys():
                walk(x[k], y[k], f"{where}.{k}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                found.append(f"{where}: {len(x)} items != {len(y)}")
            for n, (i, j) in enumerate(zip(x, y, strict=False)):
                walk(i, j, f"{where}[{n}]")
        elif x != y:
            found.append(f"{where}: {x!r} != {y!r}")

    for n, (x, y) in enumerate(zip(a, b, strict=True)):
        walk(x, y, f"message {n}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--out", help="write the figures and every parse here (JSON)")
    parser.add_argument("--profile", help="write a cProfile of the timed messages here")
    parser.add_argument("--compare", nargs=2, metavar="JSON", help="compare two --out files' parses")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    if args.compare:
        a, b = (json.loads(Path(p).read_text())["parses"] for p in args.compare)
        found = differences(a, b, args.tolerance)
        print("\n".join(found[:50]) or f"the same: {len(a)} parses (confidences within {args.tolerance})")
        return 1 if found else 0

    import benchmark

    stream = benchmark.unseen_stream()
    warm = stream.take(args.warm)
    texts = stream.take(args.count)
    result = asyncio.run(measure(args.model, texts, warm, args.profile))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "parses"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
