"""Chooses the safety net's thresholds (content/safety_net.yml) on the TUNING
set, tests/tuning/safety.yml. Never run it on the evaluation set.

    .venv/bin/python bench/tune_safety.py --model /tmp/models-x/x.tar.gz [--show]

Each message's signals are read once: the rules and the words (no
thresholds), the sentence model's best sentence per route, and the
classifier's ranking (from the trained model, its own guess before the
safety step). Then every combination of thresholds on a grid is scored with
bench/safety_scores.py, and the best is printed: the most messages with the
right first line, with full-route false alarms at most --most-alarms and
notes at most --most-notes of the ordinary messages, ties going to fewer
false alarms, then fewer notes, then the highest (most careful) thresholds.
--show prints, for the chosen thresholds, each tuning message the net gets
wrong (the tuning set may be read; the evaluation set may not).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from safety_scores import TUNING, Case, Outcome, load_cases, score  # noqa: E402

OLD = ROOT / "tests" / "companion" / "nlu" / "safety_messages.yml"
BANK = ROOT / "content" / "safety_bank.yml"
OLD_MOST_ALARMS = 3

from companion.nlu.danger_bank import load_danger_bank, nlu_examples  # noqa: E402
from companion.nlu.safety_net import (  # noqa: E402
    SafetyNet,
    Settings,
    decide,
    load_safety_net,
    read_settings,
    sentence_signals,
)


def classifier_rankings(model: Path, texts: Sequence[str]) -> List[List[Tuple[str, float]]]:
    """The classifier's ranking for each text, as the safety step receives it."""
    from rasa.core.agent import Agent

    from companion.nlu import components

    seen: List[List[Tuple[str, float]]] = []
    original = components.SafetyCheckComponent._route

    def record(self, message):
        seen.append(
            [
                (e.get("name"), float(e.get("confidence") or 0))
                for e in message.get("intent_ranking") or []
                if e.get("name") != "nlu_fallback"
            ]
        )
        return original(self, message)

    components.SafetyCheckComponent._route = record
    try:
        agent = Agent.load(str(model))

        async def parse_all():
            for text in texts:
                await agent.parse_message(text)

        asyncio.run(parse_all())
    finally:
        components.SafetyCheckComponent._route = original
    if len(seen) != len(texts):
        raise SystemExit("the model's pipeline did not reach the safety step for every message")
    return seen


class Features:
    """What the net needs to decide a message under any thresholds."""

    def __init__(self, net: SafetyNet, text: str, ranking: Sequence[Tuple[str, float]], nearest=None) -> None:
        self.net, self.text = net, text
        self.fixed = net._from_rules(text) + net._from_words(text)
        self.nearest = nearest if nearest is not None else (net.bank.nearest(text) if net.bank else {})
        self.ranking = list(ranking)
        self.framed = net.frames(text, self.nearest)

    def decide(self, settings: Settings):
        net = SafetyNet(settings)
        return decide(
            self.fixed
            + self.net.without_planned_acts(self.text, sentence_signals(self.nearest, settings, self.framed))
            + net._from_classifier(self.ranking),
            settings.classifier_needs_company,
            settings.sentence_alone,
        )


def yaml_messages(path: Path) -> List[dict]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]


def outcome(decision) -> Outcome:
    return Outcome(decision.route, decision.act is not None, decision.note)


def _steps(low, high, step):
    n = int(round((high - low) / step))
    return [round(low + i * step, 3) for i in range(n + 1)]


def strong_grid(base: Settings) -> List[Settings]:
    """The thresholds that give a route; weak signals left out (weak = strong)."""
    return [
        replace(
            base,
            sentence_strong=strong,
            sentence_margin=margin,
            sentence_weak=strong,
            sentence_weak_margin=margin,
            classifier_strong=cstrong,
            classifier_weak=cstrong,
            classifier_needs_company=company,
            sentence_routes=(),  # each route's own thresholds come after
        )
        for strong, margin, cstrong, company in itertools.product(
            _steps(0.50, 0.80, 0.02), _steps(-0.04, 0.16, 0.02), _steps(0.50, 1.0, 0.05), (True, False)
        )
    ]


def route_grid(chosen: Settings, route: str) -> List[Settings]:
    """One route's own sentence thresholds, the rest kept."""
    others = tuple(r for r in chosen.sentence_routes if r[0] != route)
    return [
        replace(chosen, sentence_routes=others + ((route, strong, margin),))
        for strong, margin in itertools.product(_steps(0.50, 0.80, 0.02), _steps(-0.04, 0.20, 0.02))
    ]


def weak_grid(chosen: Settings) -> List[Settings]:
    """With the route's thresholds chosen, the ones that give the note."""
    return [
        replace(chosen, sentence_weak=weak, sentence_weak_margin=margin, classifier_weak=cweak)
        for weak, margin, cweak in itertools.product(
            _steps(0.36, chosen.sentence_strong, 0.02),
            _steps(-0.20, chosen.sentence_margin, 0.04),
            _steps(0.10, chosen.classifier_strong, 0.05),
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="a trained model, for the classifier's signal")
    parser.add_argument("--most-alarms", type=float, default=0.03)
    parser.add_argument("--most-notes", type=float, default=0.10)
    parser.add_argument("--show", action="store_true", help="print the tuning messages the net gets wrong")
    parser.add_argument("--current", action="store_true", help="with --show: the current thresholds, not the best")
    parser.add_argument("--writer", type=int, help="tune on this writer's messages only (1 or 2)")
    parser.add_argument("--bank", type=Path, default=BANK, help="the sentence bank (default content/safety_bank.yml)")
    args = parser.parse_args()

    cases: List[Case] = load_cases(TUNING)
    writers = [int(m.get("writer", 1)) for m in yaml_messages(TUNING)]
    # The project's older safety messages (tests/companion/nlu/safety_messages.yml)
    # must keep passing: their false alarms are held to that test's limit.
    import yaml

    old_data = yaml.safe_load(OLD.read_text(encoding="utf-8"))
    old_cases = [
        Case(t, route, "old") for route in ("child_in_danger", "parent_in_crisis") for t in old_data[route]
    ] + [Case(t, "none", "old") for t in old_data["ordinary"]]
    texts = [c.text for c in cases] + [c.text for c in old_cases]
    # The slow parts (the classifier, the sentence model) are kept between runs
    # while the model and content/safety_bank.yml are unchanged.
    import hashlib
    import pickle

    def kept(name: str, key: bytes, compute):
        path = Path("/tmp") / f"tune-safety-{name}-{hashlib.sha256(key).hexdigest()[:16]}.pickle"
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = compute()
        path.write_bytes(pickle.dumps(value))
        return value

    nlu = ROOT / "data" / "nlu"
    nlu_key = b"".join(p.read_bytes() for p in sorted(nlu.glob("*.yml")))
    net = load_safety_net(with_sentences=False)
    model_key = (str(args.model) + str(args.model.stat().st_mtime) if args.model else "none").encode()
    rankings = kept(
        "classifier",
        model_key + TUNING.read_bytes() + OLD.read_bytes(),
        lambda: classifier_rankings(args.model, texts) if args.model else [[] for _ in cases],
    )
    nearest = kept(
        "sentences",
        args.bank.read_bytes() + TUNING.read_bytes() + OLD.read_bytes() + nlu_key,
        lambda: [b.nearest(t) for b in [load_danger_bank(args.bank, nlu_examples(nlu))] for t in texts],
    )
    features = [Features(net, t, r, n) for t, r, n in zip(texts, rankings, nearest, strict=True)]
    features, old_features = features[: len(cases)], features[len(cases) :]
    base = read_settings()

    # --writer N: tune on one writer's messages only; the other's then show
    # how well the thresholds carry over to a writer they were not chosen on.
    tuned = [i for i, w in enumerate(writers) if args.writer in (None, w)]

    def key(settings: Settings):
        result = score([cases[i] for i in tuned], [outcome(features[i].decide(settings)) for i in tuned])
        old = score(old_cases, [outcome(f.decide(settings)) for f in old_features])
        result["old"] = {
            "routed": sum(r["routed"] for r in old["per_route"].values()),
            "danger": old["danger_messages"],
            "false_alarms": old["false_alarms"],
        }
        ok = (
            result["false_alarm_rate"] <= args.most_alarms
            and result["note_rate"] <= args.most_notes
            and old["false_alarms"] <= OLD_MOST_ALARMS
        )
        reached = sum(r["reached_999_or_note"] for r in result["per_route"].values())
        right = sum(r["first_line"] for r in result["per_route"].values()) + result["old"]["routed"]
        return (
            ok,
            right,
            reached,
            -result["false_alarms"] - old["false_alarms"],
            -result["notes"],
            settings.sentence_strong,
            settings.classifier_strong,
        ), result

    best = None
    for settings in strong_grid(base):
        k, result = key(settings)
        if best is None or k > best[0]:
            best = (k, settings, result)
    for _ in range(2):
        for route in ("child_in_danger", "parent_in_crisis", "parent_in_danger"):
            for settings in route_grid(best[1], route):
                k, result = key(settings)
                if k > best[0]:
                    best = (k, settings, result)
        for alone in [0.0] + _steps(0.50, 0.90, 0.02):
            k, result = key(replace(best[1], sentence_alone=alone))
            if k > best[0]:
                best = (k, replace(best[1], sentence_alone=alone), result)
    for settings in weak_grid(best[1]):
        k, result = key(settings)
        if k > best[0]:
            best = (k, settings, result)
    current_key, current = key(base)
    print("current content/safety_net.yml:", _line(current))
    print("best on the tuning set:        ", _line(best[2]))
    s = best[1] if not args.current else base
    # Each writer's part of the tuning set on its own, for the thresholds shown.
    for writer in sorted(set(writers)):
        part = [(c, f) for c, f, w in zip(cases, features, writers, strict=True) if w == writer]
        result = score([c for c, _ in part], [outcome(f.decide(s)) for _, f in part])
        print(f"  writer {writer} ({len(part)} messages): {_line(result)}")
    print(f"  own sentence thresholds: {s.sentence_routes}")
    print(
        f"  sentences: strong {s.sentence_strong}, margin {s.sentence_margin}, weak {s.sentence_weak}, "
        f"weak margin {s.sentence_weak_margin}, alone {s.sentence_alone}; "
        f"classifier: strong {s.classifier_strong}, weak {s.classifier_weak}, "
        f"needs company {s.classifier_needs_company}"
    )
    if args.show:
        for case, f in zip(cases + old_cases, features + old_features, strict=True):
            got = outcome(f.decide(s))
            wrong = (case.route == "none" and (got.route or got.note)) or (
                case.route != "none"
                and (got.route not in (case.route,) + case.also or (case.act is not None and got.act != case.act))
            )
            if wrong:
                decision = f.decide(s)
                print(
                    f"- {case.route}/{case.kind} act={case.act} got {got.route} act={got.act} "
                    f"note={got.note} | {case.text[:150]}\n     {decision.summary()['signals']} "
                    + " ".join(f"{r[7:11]}={n.similarity:.2f}/{n.margin:+.2f}" for r, n in f.nearest.items())
                )
    return 0


def _line(result: Dict[str, object]) -> str:
    per = result["per_route"]
    return (
        ", ".join(f"{r.split('_')[0]}-{r.split('_')[-1]} {per[r]['first_line']}/{per[r]['messages']}" for r in per)
        + f"; false alarms {result['false_alarms']}/{result['ordinary_messages']}"
        + f", notes {result['notes']}/{result['ordinary_messages']}"
        + (
            f"; older set: routed {result['old']['routed']}/{result['old']['danger']}, "
            f"false alarms {result['old']['false_alarms']}"
            if "old" in result
            else ""
        )
    )


if __name__ == "__main__":
    sys.exit(main())
