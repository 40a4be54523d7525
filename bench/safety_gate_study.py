"""Could a cheap gate skip the safety net's six-layer reads of a piece? A study, not a change.

    flock /tmp/train.lock .venv/bin/python bench/safety_gate_study.py --model models/current.tar.gz [--count 300]

The safety net reads each sentence and clause of a message (its pieces,
companion/nlu/safety_net.py `pieces_read`) with the sentence model's six
layers: the bank's sentence signal and the reader's. A gate would read a
piece with the layers only when a cheap signal of it says it might matter,
and score a skipped piece as if it carried nothing (a zero vector: no
similarity to any example, the reader's bias alone; checked below).

For every piece of the TUNING safety set (tests/tuning/safety.yml), of the
bank (content/safety_bank.yml, each example as a message) and of `--count`
messages of the speed stream (bench/benchmark.py unseen_stream, after the
same 20 nlu_cpu.py warms up with), it computes the cheap signals:

- `wv`: the cosine of the sentence model's word vectors averaged
  (`contextual=False`, no layers) to the nearest danger example of the
  bank (every route's list and the act-under-way list, with the model's
  training examples of the safety intents, as the trained net has them);
- `wv_margin`: that minus the cosine to the nearest safe example;
- `words`: the piece has a danger-words signal (any strength) or a rule hit;

and the net's decision with every piece read and with the pieces under a
gate's bar skipped. For each gate it reports the most aggressive bar that
changes NOT ONE route, note or act-under-way (the classifier's ranking left
out, the same on both sides) on the tuning set and on the bank, the stricter
bar that also changes no six-layer signal (so no classifier ranking could
change a decision either), and at those bars the share of the stream's
safety-net piece tokens it would skip. Never reads tests/evaluation/.

Heavy (every piece read once with the layers): run it under the training lock.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

SIX_LAYER = ("sentences", "reader")


def safety_net_of(model: Path) -> Any:
    """The trained model's safety net (its bank with the training examples, its reader)."""
    from companion.nlu.components import SafetyCheckComponent

    with tempfile.TemporaryDirectory() as folder, tarfile.open(model) as tar:
        members = [m for m in tar.getmembers() if "SafetyCheckComponent" in m.name and m.isfile()]
        if not members:
            raise SystemExit(f"{model}: no SafetyCheckComponent in the model")
        for member in members:
            member.name = Path(member.name).name
            tar.extract(member, folder)
        trained = SafetyCheckComponent.read_trained(Path(folder))
    return SafetyCheckComponent(SafetyCheckComponent.get_default_config(), **trained)._net


def danger_and_safe_texts() -> Tuple[List[str], List[str]]:
    from companion.nlu.danger_bank import ACT, BANK_PATH, ROUTES, SAFE, nlu_examples, read_bank, with_training_examples

    bank = with_training_examples(read_bank(BANK_PATH), nlu_examples(ROOT / "data" / "nlu"))
    danger = [t for key in (*ROUTES, ACT) for t in bank[key]]
    return danger, list(bank[SAFE])


def unit_rows(vectors: Sequence[np.ndarray]) -> np.ndarray:
    m = np.stack(vectors).astype(np.float32)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def messages() -> Dict[str, List[str]]:
    import yaml

    from companion.nlu.danger_bank import BANK_PATH, read_bank

    tuning = [str(m["text"]) for m in yaml.safe_load((ROOT / "tests/tuning/safety.yml").read_text())["messages"]]
    bank = list(dict.fromkeys(t for texts in read_bank(BANK_PATH).values() for t in texts))
    return {"tuning": tuning, "bank": bank}


def stream(count: int, warm: int = 20) -> List[str]:
    import benchmark

    s = benchmark.unseen_stream()
    s.take(warm)
    return s.take(count)


class Study:
    def __init__(self, net: Any) -> None:
        self.net = net
        self.encoder = net.encoder
        self.vectors: Dict[str, np.ndarray] = {}
        self.zero = np.zeros(self.encoder.encode("x").shape, np.float32)

    def read_all(self, pieces: Sequence[str]) -> None:
        missing = [p for p in dict.fromkeys(pieces) if p not in self.vectors]
        for n in range(0, len(missing), 32):
            batch = missing[n : n + 32]
            self.vectors.update(zip(batch, self.encoder.encode_many(batch), strict=True))

    def reads(self, skip: Callable[[str], bool]) -> Callable[[Sequence[str]], List[np.ndarray]]:
        return lambda texts: [self.zero if skip(t) else self.vectors[t] for t in texts]

    def six_layer(self, text: str, skip: Callable[[str], bool]) -> List[Any]:
        read = self.reads(skip)
        return self.net._from_sentences(text, read) + self.net._from_reader(text, self.net._readings(text, read))


def outcome(decision: Any) -> Tuple[Any, bool, bool]:
    return decision.route, decision.note, decision.act is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--limit", type=int, help="only the first N messages of each set (a quick check of the script)")
    args = parser.parse_args()

    from companion.nlu.safety_net import decide
    from companion.sentence_model import use_one_blas_thread

    use_one_blas_thread()
    started = time.process_time()
    net = safety_net_of(Path(args.model))
    study = Study(net)
    sets = messages()
    sets["stream"] = stream(args.count)
    if args.limit:
        sets = {k: v[: args.limit] for k, v in sets.items()}
    pieces = {name: {t: net.pieces_read(t) for t in texts} for name, texts in sets.items()}
    every = [p for by_text in pieces.values() for ps in by_text.values() for p in ps]
    study.read_all(every)

    # A skipped piece carries nothing: the reader's bias alone is below its weak bar.
    if net.reader is not None:
        assert max(net.reader.route_probabilities(study.zero).values()) < net.settings.reader_weak

    # The cheap signals of every piece.
    danger, safe = danger_and_safe_texts()
    cheap = study.encoder
    danger_m = unit_rows(cheap.encode_many(danger, contextual=False))
    safe_m = unit_rows(cheap.encode_many(safe, contextual=False))
    distinct = list(dict.fromkeys(every))
    flat = unit_rows(cheap.encode_many(distinct, contextual=False))
    to_danger = (flat @ danger_m.T).max(axis=1)
    to_safe = (flat @ safe_m.T).max(axis=1)
    words = np.array(
        [bool(net.words and net.words.signals(p)) or bool(net.rules and net.rules.check(p)) for p in distinct]
    )
    signal = {
        "wv": dict(zip(distinct, to_danger.tolist(), strict=True)),
        "wv_margin": dict(zip(distinct, (to_danger - to_safe).tolist(), strict=True)),
    }
    has_words = dict(zip(distinct, words.tolist(), strict=True))
    tokens = {
        p: len(ids) for p, ids in zip(distinct, (e.ids for e in cheap.tokenizer.encode_batch(distinct)), strict=True)
    }

    # The full decisions (every piece read), with the other signals computed once.
    other = {}
    full = {}
    for name in ("tuning", "bank"):
        for text in sets[name]:
            base = net._from_rules(text) + net._from_words(text)
            layered = study.six_layer(text, lambda p: False)
            other[text] = base
            full[text] = (
                layered,
                outcome(decide(base + layered, net.settings.classifier_needs_company, net.settings.sentence_alone)),
            )

    # Only a message with a piece near enough a danger example (the bank's
    # weak bar) or likely enough to the reader can have a six-layer signal
    # under any gate (a skipped piece carries nothing).
    lists = [m for key, m in net.bank._matrices.items() if key != "safe"] if net.bank else []
    least = min(
        [net.settings.sentence_weak, net.settings.sentence_strong] + [s for _, s, _ in net.settings.sentence_routes]
    )

    def near(p: str) -> bool:
        v = study.vectors[p]
        if any(float((m @ v).max()) >= least for m in lists):
            return True
        return bool(net.reader) and max(net.reader.route_probabilities(v).values()) >= net.settings.reader_weak

    at_risk = {name: [t for t in sets[name] if any(near(p) for p in pieces[name][t])] for name in ("tuning", "bank")}

    def losses(skip: Callable[[str], bool]) -> Dict[str, Dict[str, int]]:
        found = {}
        for name, texts in at_risk.items():
            decisions = signals = 0
            for text in texts:
                if not any(skip(p) for p in pieces[name][text]):
                    continue
                layered = study.six_layer(text, skip)
                if layered != full[text][0]:
                    signals += 1
                    got = outcome(
                        decide(
                            other[text] + layered, net.settings.classifier_needs_company, net.settings.sentence_alone
                        )
                    )
                    decisions += got != full[text][1]
            found[name] = {"decisions_changed": decisions, "signals_changed": signals}
        return found

    def skipped(name: str, skip: Callable[[str], bool]) -> Dict[str, float]:
        total = cut = 0
        pieces_total = pieces_cut = 0
        for ps in pieces[name].values():
            for p in ps:
                total += tokens[p]
                pieces_total += 1
                if skip(p):
                    cut += tokens[p]
                    pieces_cut += 1
        n = max(len(pieces[name]), 1)
        return {
            "token_share": round(cut / max(total, 1), 3),
            "piece_share": round(pieces_cut / max(pieces_total, 1), 3),
            "tokens_a_message": round(total / n, 1),
            "tokens_skipped_a_message": round(cut / n, 1),
        }

    def scan(gate: str, keep_words: bool) -> Dict[str, Any]:
        score = signal[gate]

        def gate_at(bar: float) -> Callable[[str], bool]:
            return lambda p: score[p] < bar and not (keep_words and has_words[p])

        # Candidate bars: the scores of the pieces that carry a six-layer signal
        # (raising the bar past one of them is where a loss can start), and a grid.
        bars = sorted(set(np.round(np.quantile(list(score.values()), np.linspace(0, 0.95, 39)), 4).tolist()))
        rows: List[Dict[str, Any]] = []

        def evaluate(bar: float) -> Tuple[Dict[str, Any], bool, bool]:
            skip = gate_at(bar)
            lost = losses(skip)
            row = {"bar": round(bar, 4), **{f"{k}_{m}": v for k, d in lost.items() for m, v in d.items()}}
            row.update({f"stream_{k}": v for k, v in skipped("stream", skip).items()})
            row["tuning_token_share"] = skipped("tuning", skip)["token_share"]
            rows.append(row)
            return (
                row,
                all(d["decisions_changed"] == 0 for d in lost.values()),
                all(d["signals_changed"] == 0 for d in lost.values()),
            )

        best: Dict[str, Any] = {"decisions": None, "signals": None}
        first_bad: Dict[str, float | None] = {"decisions": None, "signals": None}
        for bar in bars:
            row, no_decision, no_signal = evaluate(bar)
            for key, fine in (("decisions", no_decision), ("signals", no_signal)):
                if first_bad[key] is None:
                    if fine:
                        best[key] = row
                    else:
                        first_bad[key] = bar
            if first_bad["decisions"] is not None:
                break  # the first bar that loses a decision: higher bars skip more
        # Between the last clean bar and the first that loses: the pieces' own scores, halved.
        for key, which in (("decisions", 1), ("signals", 2)):
            if first_bad[key] is None:
                continue
            low = best[key]["bar"] if best[key] else -1.0
            between = sorted(v for v in set(score.values()) if low < v < first_bad[key])
            lo, hi = 0, len(between)
            while lo < hi:
                mid = (lo + hi) // 2
                result = evaluate(between[mid] + 1e-9)
                if result[which]:
                    best[key], lo = result[0], mid + 1
                else:
                    hi = mid
        best_decisions, best_signals = best["decisions"], best["signals"]
        rows.sort(key=lambda r: r["bar"])
        return {
            "gate": gate + (" or words" if keep_words else ""),
            "best_no_decision_lost": best_decisions,
            "best_no_signal_lost": best_signals,
            "rows": rows,
        }

    results = [scan("wv", False), scan("wv", True), scan("wv_margin", False), scan("wv_margin", True)]

    def words_only(p: str) -> bool:
        return not has_words[p]

    lost = losses(words_only)
    results.append(
        {
            "gate": "words only (read a piece only with a danger word or rule)",
            "losses": lost,
            "stream": skipped("stream", words_only),
        }
    )
    summary = {
        "model": args.model,
        "messages": {k: len(v) for k, v in sets.items()},
        "pieces": {k: sum(len(ps) for ps in v.values()) for k, v in pieces.items()},
        "at_risk_messages": {k: len(v) for k, v in at_risk.items()},
        "stream_pieces_tokens_a_message": skipped("stream", lambda p: False)["tokens_a_message"],
        "cpu_seconds": round(time.process_time() - started, 1),
        "results": results,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    for r in results:
        if "rows" in r:
            print(f"\n== gate: {r['gate']}")
            for key in ("best_no_decision_lost", "best_no_signal_lost"):
                b = r[key]
                print(f"  {key}: " + (json.dumps(b) if b else "none (every bar loses something)"))
        else:
            print(f"\n== gate: {r['gate']}\n  losses: {r['losses']}\n  stream: {r['stream']}")
    print("\n" + json.dumps({k: v for k, v in summary.items() if k != "results"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
