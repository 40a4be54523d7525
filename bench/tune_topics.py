"""Chooses QuestionTopics' settings and the fallback threshold on the TUNING sets.

    .venv/bin/python bench/tune_topics.py --model /tmp/models-x/x.tar.gz

Reads tests/nlu_holdout.yml, tests/tuning/understanding.yml,
tests/tuning/understanding_blind.yml and tests/tuning/two_questions.yml
(never the evaluation set), parses
every message once per setting with the model in this process (the
sentence vectors are kept, so a setting costs little), and prints right /
did you mean / wrong for each, best first by "wrong counts three times,
did-you-mean once" (a confident wrong answer is worse than a question
back). The chosen settings go in config.yml by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from understanding import FALLBACK, TUNING_SETS, Prediction, prediction_from, read_set, score  # noqa: E402

TUNING = [ROOT / name for name in TUNING_SETS]
GRID = {
    "question_weight": [0.4, 0.6, 0.8],
    "sharpen": [1.0, 0.6, 0.4],
    "second_at_least": [0.5, 0.7],
    "which_margin": [0.0, 0.1],
    "unlike_below": [0.0, 0.5],
}
THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5]


def topic_step(agent):
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        component = getattr(node, "_component", None)
        if type(component).__name__ == "QuestionTopics":
            return component
    raise SystemExit("no QuestionTopics step in this model")


def with_threshold(p: Prediction, threshold: float) -> Prediction:
    if p.intent != FALLBACK and p.confidence < threshold and p.intent not in ("child_in_danger", "parent_in_crisis"):
        return Prediction(FALLBACK, p.top, p.confidence, None, p.which)
    return p


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    from rasa.core.agent import Agent

    sets = [(path.name, read_set(path)) for path in TUNING]

    async def run():
        agent = Agent.load(args.model)
        step = topic_step(agent)
        step.config["which_at_least"] = 0.2
        fallback = next(
            n._component
            for n in agent.processor.graph_runner._instantiated_nodes.values()
            if type(getattr(n, "_component", None)).__name__ == "FallbackClassifier"
        )
        fallback.component_config["threshold"] = 0.0  # applied below, per threshold
        fallback.component_config["ambiguity_threshold"] = 0.0
        rows = []
        keys = list(GRID)
        for values in itertools.product(*GRID.values()):
            step.config.update(dict(zip(keys, values, strict=True)))
            predictions = {}
            for name, cases in sets:
                predictions[name] = [prediction_from(await agent.parse_message(c.text)) for c in cases]
            for threshold in THRESHOLDS:
                scores = [
                    score(name, cases, [with_threshold(p, threshold) for p in predictions[name]])
                    for name, cases in sets
                ]
                cost = sum(3 * s.rate("wrong") + s.rate("did you mean") + 0.5 * s.rate("one of two") for s in scores)
                rows.append((cost, dict(zip(keys, values, strict=True)), threshold, scores))
        rows.sort(key=lambda r: r[0])
        for cost, setting, threshold, scores in rows[:25]:
            figures = "  ".join(
                f"{s.name}: right {s.rate('right'):.1%} dym {s.rate('did you mean'):.1%} "
                f"wrong {s.rate('wrong'):.1%} 1of2 {s.rate('one of two'):.1%}"
                for s in scores
            )
            print(f"{cost:.3f} {setting} threshold {threshold}  {figures}")

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
