"""How often the six-layer sentence model should be read: tried on the TUNING sets.

    flock /tmp/train.lock .venv/bin/python bench/tune_second_opinion.py \
        --model /tmp/models-x/current.tar.gz [--set tests/tuning/understanding_w8.yml ...]

For each setting, in one process with one loaded model (no retraining):
- consult_below: the SecondOpinionClassifier (counts + the sentence model's
  contextual vector) is consulted when the first regression is below this
  (1.01: always);
- blend: its share when consulted (1.0: it decides alone);
- sure_at: QuestionTopics leaves one-sentence messages the classifiers are
  this sure of untouched (1.01: it always averages in its own reading);
- second_at_least: QuestionTopics offers a second question's topic from this
  confidence ("You also asked about ...").
Prints right / one of two / did you mean / wrong, wrong answers at 0.7 and
above and at 0.9 and above, and NLU ms a message (the sentence model's
remembered vectors are emptied before each setting, so every message is new
to it; the first setting also warms the process up and is run twice).
Reads tuning sets only (never tests/evaluation/). Settings go into config.yml
by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from understanding import TUNING_SETS, prediction_from, read_set, score  # noqa: E402

TUNING = [ROOT / name for name in TUNING_SETS]
# (consult_below, blend, sure_at, second_at_least)
SETTINGS = [
    (0.7, 1.0, 0.7, 0.6),
    (0.9, 1.0, 0.7, 0.6),
    (1.01, 1.0, 0.7, 0.6),
    (1.01, 0.5, 0.7, 0.6),
    (0.7, 1.0, 1.01, 0.6),
    (1.01, 1.0, 1.01, 0.6),
    (1.01, 0.5, 1.01, 0.6),
    (0.7, 1.0, 0.7, 0.7),
    (0.7, 1.0, 0.7, 0.8),
    (1.01, 0.3, 0.7, 0.6),
    (0.9, 0.5, 0.7, 0.6),
]


def component(agent, name):
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        step = getattr(node, "_component", None)
        if type(step).__name__ == name:
            return step
    raise SystemExit(f"no {name} step in this model")


def confident_wrong(s, at: float) -> int:
    return sum(c["wrong"] for band, c in s.bands.items() if float(band.split("-")[0]) >= at)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--set", action="append", default=[], help="more tuning sets")
    parser.add_argument("--only", type=int, nargs="*", help="indexes of SETTINGS to run")
    args = parser.parse_args()
    from rasa.core.agent import Agent

    from companion.sentence_model import SentenceEncoder

    paths = TUNING + [Path(p) for p in args.set]
    if any("evaluation" in str(p) for p in paths):
        raise SystemExit("tuning sets only")
    sets = [(path.name, read_set(path)) for path in paths]
    settings = [SETTINGS[i] for i in args.only] if args.only else SETTINGS

    async def run():
        from safety_eval import quiet

        quiet()
        agent = Agent.load(args.model)
        quiet()
        second, topics = component(agent, "SecondOpinionClassifier"), component(agent, "QuestionTopics")
        encoder = SentenceEncoder.load(SentenceEncoder.default_path())
        for n, (consult_below, blend, sure_at, second_at) in enumerate([settings[0]] + settings):
            second.config.update(consult_below=consult_below, blend=blend)
            topics.config.update(sure_at=sure_at, second_at_least=second_at)
            encoder._kept.clear()
            lines, spent, count = [], 0.0, 0
            for name, cases in sets:
                predictions = []
                for case in cases:
                    start = time.perf_counter()
                    parsed = await agent.parse_message(case.text)
                    spent += time.perf_counter() - start
                    count += 1
                    predictions.append(prediction_from(parsed))
                s = score(name, cases, predictions)
                lines.append(
                    f"  {name}: right {s.rate('right'):.1%} 1of2 {s.rate('one of two'):.1%} "
                    f"dym {s.rate('did you mean'):.1%} wrong {s.rate('wrong'):.1%} "
                    f"safety {s.rate('safety route'):.1%} wrong>=0.7 {confident_wrong(s, 0.7)} "
                    f">=0.9 {confident_wrong(s, 0.9)} extra2nd {s.extra_topic}"
                )
            if n == 0:
                continue  # warm-up
            print(
                f"consult_below {consult_below} blend {blend} sure_at {sure_at} second_at_least {second_at}: "
                f"{1000 * spent / count:.1f} ms/msg"
            )
            print("\n".join(lines), flush=True)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
