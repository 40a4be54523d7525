"""Study of the safety net's reader (companion/nlu/danger_reader.py) on the
TUNING set only: fits the reader as training would, adds its signal to the
others (rules, words, sentences, classifier, as bench/tune_safety.py reads
them) and scores each writer group for a grid of the reader's thresholds.
Thresholds are chosen on the development writers (--dev, all but 6 by
default); the held-out writers (--held, 6) are only scored.

    flock /tmp/train.lock .venv/bin/python bench/study_reader.py --model models/current.tar.gz
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import pickle
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from safety_scores import TUNING, load_cases, score  # noqa: E402
from tune_safety import Features, classifier_rankings, outcome, yaml_messages  # noqa: E402

from companion.nlu.danger_bank import nlu_examples, read_bank, shipped_encoder, with_training_examples  # noqa: E402
from companion.nlu.danger_reader import DangerReader, examples_for_fitting  # noqa: E402
from companion.nlu.safety_net import (  # noqa: E402
    SafetyNet,
    Signal,
    decide,
    load_safety_net,
    read_settings,
    sentence_signals,
)
from companion.nlu.sentence_vectors import OneAtATime  # noqa: E402

CACHE = Path("/tmp/cc14-vectors.pickle")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--held", default="6")
    parser.add_argument("--strength", type=float, nargs="*", default=[1.0])
    parser.add_argument("--no-reader", action="store_true")
    parser.add_argument("--no-sentences", action="store_true", help="the reader in place of the bank's sentences")
    parser.add_argument("--most-alarms", type=float, default=0.03)
    parser.add_argument("--most-notes", type=float, default=0.10)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--unbalanced", action="store_true")
    parser.add_argument("--strong", type=float, nargs="*")
    parser.add_argument("--weak", type=float, nargs="*")
    parser.add_argument("--grid", action="store_true", help="print every combination's figures")
    args = parser.parse_args()
    held = {int(w) for w in args.held.split(",") if w}

    cases = load_cases(TUNING)
    writers = [int(m.get("writer", 1)) for m in yaml_messages(TUNING)]
    texts = [c.text for c in cases]
    cache: Dict[str, np.ndarray] = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}
    raw = shipped_encoder().encode

    def encode(text: str) -> np.ndarray:
        key = text.strip().lower()
        if key not in cache:
            cache[key] = raw(key)
        return cache[key]

    key = (str(args.model) + str(args.model.stat().st_mtime)).encode() + TUNING.read_bytes()
    rpath = Path("/tmp") / f"cc14-rank-{hashlib.sha256(key).hexdigest()[:16]}.pickle"
    if rpath.exists():
        rankings = pickle.loads(rpath.read_bytes())
    else:
        rankings = classifier_rankings(args.model, texts)
        rpath.write_bytes(pickle.dumps(rankings))
    net = load_safety_net(with_sentences=False)
    nlu = nlu_examples(ROOT / "data" / "nlu")
    merged = with_training_examples(read_bank(), nlu)
    from companion.nlu.danger_bank import DangerBank

    bank = DangerBank.from_texts(merged, OneAtATime(encode))
    features = [Features(net, t, r, bank.nearest(t)) for t, r in zip(texts, rankings, strict=True)]
    base = read_settings()
    pairs = examples_for_fitting(merged)
    X = np.stack([encode(t) for _, t in pairs])
    y = [label for label, _ in pairs]
    CACHE.write_bytes(pickle.dumps(cache))
    print(f"fitting on {len(pairs)} pieces: " + ", ".join(f"{lab} {y.count(lab)}" for lab in sorted(set(y))))

    dev = [i for i, w in enumerate(writers) if w not in held]
    out = [i for i, w in enumerate(writers) if w in held]
    groups = {"dev": dev, "held": out}
    for w in sorted(set(writers)):
        groups[f"w{w}"] = [i for i, x in enumerate(writers) if x == w]

    def line(idx, decisions) -> str:
        r = score([cases[i] for i in idx], [outcome(decisions[i]) for i in idx])
        per = r["per_route"]
        return (
            "/".join(f"{per[x]['first_line_recall']:.0%}" for x in per)
            + f" fa {r['false_alarm_rate']:.1%} notes {r['note_rate']:.1%}"
        )

    base_decisions = [f.decide(base) for f in features]
    print("without the reader:")
    for name, idx in groups.items():
        print(f"  {name:5} ({len(idx)}): {line(idx, base_decisions)}")
    if args.no_reader:
        CACHE.write_bytes(pickle.dumps(cache))
        return 0

    for strength in args.strength:
        reader = DangerReader.fit(X, y, strength, balanced=not args.unbalanced)
        readings = [reader.read(t, OneAtATime(encode).encode_many) for t in texts]
        CACHE.write_bytes(pickle.dumps(cache))
        framed = [
            {r: net._framed(t[slice(*rd.span)]) for r, rd in reading.items()}
            for t, reading in zip(texts, readings, strict=True)
        ]

        fixed = [
            f.fixed
            + (
                []
                if args.no_sentences
                else f.net.without_planned_acts(f.text, sentence_signals(f.nearest, base, f.framed))
            )
            + SafetyNet(base)._from_classifier(f.ranking)
            for f in features
        ]

        def decisions_for(
            strong: float, weak: float, frame: bool, settings=base, fixed=fixed, readings=readings, framed=framed
        ) -> List:
            found = []
            for sig, reading, fr in zip(fixed, readings, framed, strict=True):
                extra = []
                for route, rd in reading.items():
                    is_strong = rd.probability >= strong and not (frame and fr[route])
                    if is_strong or rd.probability >= weak:
                        extra.append(Signal("reader", route, is_strong, None, rd.probability))
                found.append(decide(sig + extra, settings.classifier_needs_company, settings.sentence_alone))
            return found

        best = None
        grid = itertools.product(
            args.strong or [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98],
            args.weak or [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98],
            (True, False),
        )
        for strong, weak, frame in grid:
            if weak > strong:
                continue
            d = decisions_for(strong, weak, frame)
            r = score([cases[i] for i in dev], [outcome(d[i]) for i in dev])
            ok = r["false_alarm_rate"] <= args.most_alarms and r["note_rate"] <= args.most_notes
            k = (ok, sum(p["first_line"] for p in r["per_route"].values()), -r["false_alarms"], -r["notes"], strong)
            if best is None or k > best[0]:
                best = (k, strong, weak, frame, d)
            if args.grid:
                h = score([cases[i] for i in out], [outcome(d[i]) for i in out])
                print(
                    f"    grid s={strong} w={weak} f={frame}: dev {line(dev, d)} | held {line(out, d)}"
                    f" | dev right {k[1]} held right {sum(p['first_line'] for p in h['per_route'].values())}",
                    flush=True,
                )
        _, strong, weak, frame, d = best
        print(f"C={strength}: reader strong {strong} weak {weak} frames {frame}")
        for name, idx in groups.items():
            print(f"  {name:5} ({len(idx)}): {line(idx, d)}", flush=True)
        # The reader alone as the only new signal, strong only: how it ranks.
        if args.show:
            for i in dev:
                c, got = cases[i], outcome(d[i])
                bad = (c.route == "none" and (got.route or got.note)) or (
                    c.route != "none" and got.route not in (c.route,) + c.also
                )
                if bad:
                    probs = {r[7:11]: round(rd.probability, 2) for r, rd in readings[i].items()}
                    print(
                        f"- w{writers[i]} {c.route}/{c.kind} got {got.route} note={got.note} {probs} | {c.text[:120]}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
