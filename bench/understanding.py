"""How well the bot understands parents: right topic, "did you mean", wrong answers.

One scorer for every set of messages, used by `make bench`, `make test`
(test-understanding) and `make tune`:

    .venv/bin/python bench/understanding.py --model /tmp/models-x/x.tar.gz \
        --set tests/nlu_holdout.yml --set tests/evaluation/understanding.yml

Two file formats are read: Rasa NLU files (one intent per example, as
tests/nlu_holdout.yml) and lists of messages (`messages:` with `text`,
`intents` (one or two) and `voice`, as tests/evaluation/understanding.yml).

Each message gets one outcome, from what the bot would do with it:
- right: the answer is about the message's topic; for a two-question
  message, both topics are answered or offered ("You also asked about ...").
- one of two: a two-question message got one of its topics, not the other.
- did you mean: the bot asked instead of answering (nlu_fallback: the topic
  suggestions, "Do you mean X or Y?", a message too long or of unknown words).
- wrong: the bot answered with a topic the message is not about. Every wrong
  answer is a confident one as far as the parent is concerned: it is
  reported by the classifier's confidence band too.
- safety route: the safety check sent a message that is about a topic to the
  999, crisis or danger answer (counted apart: not right, not a wrong topic).

Beside the outcome, its own column: "second not asked", one-question messages
that were also offered a second topic they did not ask about ("You also asked
about ..." with a topic not in the message), as a share of the one-question
messages. Such a message can still be right: the extra offer is a button the
parent did not need, not a wrong answer, so it is counted apart.

ask_dates and give_conference_details start the same conversation (the
conference form, data/rules/dates.yml), so either is right for the other.

The model runs in this process (rasa.core.agent), as the Rasa server runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
FALLBACK = "nlu_fallback"
SAFETY_ROUTES = {"child_in_danger", "parent_in_crisis", "parent_in_danger"}
# Intents whose answers are the same conversation (data/rules/dates.yml).
SAME_ANSWER = {"give_conference_details": "ask_dates"}
BANDS: Tuple[Tuple[float, float], ...] = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))
# The sets settings are chosen on (never trained on); the evaluation set is
# tests/evaluation/understanding.yml, scored beside them, never tuned on.
TUNING_SETS: Tuple[str, ...] = (
    "tests/nlu_holdout.yml",
    "tests/tuning/understanding.yml",
    "tests/tuning/understanding_blind.yml",
    "tests/tuning/two_questions.yml",
    "tests/tuning/understanding_w8.yml",
    "tests/tuning/two_questions_w8.yml",
    "tests/tuning/understanding_w10.yml",
    "tests/tuning/two_questions_w10.yml",
    "tests/tuning/understanding_w12.yml",
    "tests/tuning/two_questions_w12.yml",
    "tests/tuning/understanding_w14.yml",
    "tests/tuning/two_questions_w14.yml",
    "tests/tuning/understanding_w16.yml",
    "tests/tuning/two_questions_w16.yml",
    "tests/tuning/understanding_w17.yml",
    "tests/tuning/two_questions_w17.yml",
)
EVALUATION_SET = "tests/evaluation/understanding.yml"


@dataclass(frozen=True)
class Case:
    text: str
    intents: Tuple[str, ...]
    voice: str = ""


@dataclass(frozen=True)
class Prediction:
    intent: str  # what the dialogue sees (nlu_fallback when it asks)
    top: str  # the classifier's own first topic
    confidence: float  # of that topic
    also: str | None = None  # the second topic offered, if any
    which: Tuple[str, ...] = ()  # "Do you mean X or Y?": the two topics asked about


@dataclass
class Score:
    name: str
    outcomes: Counter = field(default_factory=Counter)
    bands: Dict[str, Counter] = field(default_factory=dict)
    confusions: Counter = field(default_factory=Counter)
    two_questions: Counter = field(default_factory=Counter)
    extra_topic: int = 0
    long_messages: Counter = field(default_factory=Counter)

    @property
    def messages(self) -> int:
        return sum(self.outcomes.values())

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.messages if self.messages else 0.0

    @property
    def one_question_messages(self) -> int:
        return self.messages - sum(self.two_questions.values())

    @property
    def extra_topic_rate(self) -> float:
        """Second topics offered that were not asked, per one-question message."""
        return self.extra_topic / self.one_question_messages if self.one_question_messages else 0.0

    def as_dict(self) -> Dict[str, object]:
        return {
            "messages": self.messages,
            "right": round(self.rate("right"), 4),
            "one_of_two": round(self.rate("one of two"), 4),
            "did_you_mean": round(self.rate("did you mean"), 4),
            "wrong": round(self.rate("wrong"), 4),
            "safety_route": round(self.rate("safety route"), 4),
            "second_not_asked": round(self.extra_topic_rate, 4),
            "counts": dict(self.outcomes),
            "two_question_messages": dict(self.two_questions),
            "extra_second_topic_on_one_question": self.extra_topic,
            "long_messages_over_40_words": dict(self.long_messages),
            "wrong_by_confidence": {band: dict(c) for band, c in self.bands.items()},
            "confusions": [f"{t} -> {p} x{n}" for (t, p), n in self.confusions.most_common(15)],
        }


def same(intent: str | None) -> str | None:
    return SAME_ANSWER.get(intent, intent) if intent else intent


def band_of(confidence: float) -> str:
    for low, high in BANDS:
        if low <= confidence < high:
            return f"{low:.1f}-{min(high, 1.0):.1f}"
    return f"{BANDS[-1][0]:.1f}-1.0"


def outcome(case: Case, prediction: Prediction) -> str:
    truth = {same(i) for i in case.intents}
    main = same(prediction.intent)
    if main == FALLBACK:
        return "did you mean"
    if main in SAFETY_ROUTES and not truth & SAFETY_ROUTES:
        return "safety route"
    if main not in truth:
        return "wrong"
    if len(truth) == 1:
        return "right"
    return "right" if truth <= {main, same(prediction.also)} else "one of two"


def score(name: str, cases: Sequence[Case], predictions: Sequence[Prediction]) -> Score:
    result = Score(name)
    for case, prediction in zip(cases, predictions, strict=True):
        what = outcome(case, prediction)
        result.outcomes[what] += 1
        band = result.bands.setdefault(band_of(prediction.confidence), Counter())
        band["messages"] += 1
        if what != "did you mean":
            band["answered"] += 1
        if what == "wrong":
            band["wrong"] += 1
            result.confusions[(case.intents[0], prediction.intent)] += 1
        if len(case.intents) == 2:
            result.two_questions[what] += 1
        elif prediction.also and same(prediction.also) not in {same(i) for i in case.intents}:
            result.extra_topic += 1
        if len(case.text.split()) > 40:
            result.long_messages[what] += 1
    for counter in (result.outcomes, result.two_questions, result.long_messages):
        for key in ("right", "did you mean", "wrong"):
            counter.setdefault(key, 0)
    return result


# ------------------------------------------------------------------ reading sets
def read_set(path: Path) -> List[Case]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if "messages" in data:
        return [Case(str(m["text"]), tuple(m["intents"]), str(m.get("voice") or "")) for m in data["messages"]]
    cases = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                cases.append(Case(line.strip()[2:], (block["intent"],)))
    return cases


# ------------------------------------------------------------------ predicting
def prediction_from(parsed: Dict) -> Prediction:
    """What the bot would do with one parsed message (Rasa's parse output)."""
    name = (parsed.get("intent") or {}).get("name") or FALLBACK
    selected = (parsed.get("response_selector") or {}).get(name)
    if selected:
        name = selected["response"]["intent_response_key"]
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    top = ranking[0] if ranking else {"name": name, "confidence": 1.0}
    confidence = 0.0 if parsed.get("unknown_words") else float(top.get("confidence") or 0.0)
    also = (parsed.get("also_asked") or {}).get("name") if name != FALLBACK else None
    which = tuple((parsed.get("which_one") or {}).get("intents") or ())
    return Prediction(name, top.get("name") or name, confidence, also, which)


def predict(model: Path, texts: Iterable[str]) -> List[Prediction]:
    """Each message parsed by the trained model, in this process."""
    from rasa.core.agent import Agent
    from safety_eval import quiet  # Rasa would log each message's words

    async def run() -> List[Prediction]:
        quiet()
        agent = Agent.load(str(model))
        quiet()  # loading configures Rasa's logging again
        return [prediction_from(await agent.parse_message(text)) for text in texts]

    return asyncio.run(run())


# ------------------------------------------------------------------ report
def markdown(scores: Sequence[Score]) -> str:
    rows = [
        "| set | messages | right | one of two | did you mean | wrong | safety route | second not asked |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        rows.append(
            f"| {s.name} | {s.messages} | {s.rate('right'):.1%} | {s.rate('one of two'):.1%} | "
            f"{s.rate('did you mean'):.1%} | {s.rate('wrong'):.1%} | {s.rate('safety route'):.1%} | "
            f"{s.extra_topic} ({s.extra_topic_rate:.1%}) |"
        )
    for s in scores:
        rows += [
            "",
            f"Wrong answers by the classifier's confidence ({s.name}):",
            "",
            "| confidence | messages | answered | wrong |",
            "|---|---|---|---|",
        ]
        for band in sorted(s.bands):
            c = s.bands[band]
            rows.append(f"| {band} | {c['messages']} | {c['answered']} | {c['wrong']} |")
        if s.two_questions:
            rows.append(f"\nTwo-question messages: {dict(s.two_questions)}")
        if s.long_messages:
            rows.append(f"Messages over 40 words: {dict(s.long_messages)}")
        rows.append("Confusions (true -> answered): " + ("; ".join(s.as_dict()["confusions"]) or "none"))
    return "\n".join(rows) + "\n"


def shown(name: str, cases: Sequence[Case], predictions: Sequence[Prediction]) -> List[str]:
    """The messages to look at, one line each: wrong, one of two, and one-question
    messages offered a second topic they did not ask about."""
    lines = []
    for case, prediction in zip(cases, predictions, strict=True):
        what = outcome(case, prediction)
        if len(case.intents) == 1 and prediction.also and same(prediction.also) != same(case.intents[0]):
            what = "second not asked" if what == "right" else f"{what}, second not asked"
        elif what not in ("wrong", "one of two"):
            continue
        got = prediction.intent + (f" + {prediction.also}" if prediction.also else "")
        truth = " + ".join(case.intents)
        lines.append(f"{name} | {what} | {truth} -> {got} ({prediction.confidence:.2f}) | {case.text}")
    return lines


def refuse_to_show(paths: Iterable[str]) -> List[str]:
    """The sets --show will not list: anything but a tuning set (the evaluation
    set's messages are never read)."""
    tuning = {(ROOT / t).resolve() for t in TUNING_SETS}
    return [p for p in paths if (ROOT / p).resolve() not in tuning and Path(p).resolve() not in tuning]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--set", action="append", required=True, help="a message file (more than one allowed)")
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument("--floor-set", help="the set the floors below apply to (one of --set)")
    parser.add_argument("--min-right", type=float)
    parser.add_argument("--max-wrong", type=float)
    parser.add_argument("--max-did-you-mean", type=float)
    parser.add_argument(
        "--show", action="store_true", help="list the wrong, one-of-two and unasked-second messages (tuning sets only)"
    )
    args = parser.parse_args(argv)
    refused = refuse_to_show(args.set) if args.show else []
    if refused:
        parser.error(f"--show lists tuning sets only ({', '.join(TUNING_SETS)}), not {refused}")
    sets = [(Path(p), read_set(Path(p))) for p in args.set]
    everything = predict(Path(args.model), [c.text for _, cases in sets for c in cases])
    ends = list(itertools.accumulate(len(cases) for _, cases in sets))
    predicted = [everything[end - len(cases) : end] for (_, cases), end in zip(sets, ends, strict=True)]
    scores = [score(str(path), cases, got) for (path, cases), got in zip(sets, predicted, strict=True)]
    print(markdown(scores))
    if args.show:
        for (path, cases), got in zip(sets, predicted, strict=True):
            print("\n".join(shown(path.name, cases, got)))
    if args.json:
        Path(args.json).write_text(json.dumps({s.name: s.as_dict() for s in scores}, indent=2))
    failures = []
    for s in scores:
        if args.floor_set and s.name != args.floor_set:
            continue
        if args.min_right is not None and s.rate("right") < args.min_right:
            failures.append(f"{s.name}: right {s.rate('right'):.1%} is below {args.min_right:.1%}")
        if args.max_wrong is not None and s.rate("wrong") > args.max_wrong:
            failures.append(f"{s.name}: wrong {s.rate('wrong'):.1%} is above {args.max_wrong:.1%}")
        if args.max_did_you_mean is not None and s.rate("did you mean") > args.max_did_you_mean:
            failures.append(f"{s.name}: did you mean {s.rate('did you mean'):.1%} is above {args.max_did_you_mean:.1%}")
    for failure in failures:
        print("FAILED " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
