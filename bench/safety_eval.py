"""The safety routes measured with a trained model's whole NLU pipeline.

    .venv/bin/python bench/safety_eval.py --model models/current.tar.gz [--check] [--json FILE]
    .venv/bin/python bench/safety_eval.py --model /tmp/models-x/current.tar.gz --tuning-only

Reads tests/tuning/safety.yml and tests/evaluation/safety.yml, parses every
message with the model (as the server would, the safety step last), and
prints recall per route, the right first line, and the false-alarm rates
(full route; the one-line note separately) for each set side by side
(bench/safety_scores.py). For the evaluation set it prints figures and the
labels of what was missed, never a message's words. --check fails (exit 1)
when the evaluation set falls below the floor in bench/safety_scores.py;
`make test` runs it so. --tuning-only reads, parses and prints the tuning
set alone (the evaluation set is not opened): for work on the net between
the lead's measurements of the evaluation set. It prints each writer group
side by side (the messages' `writer`, 1 when not given: writers 1-2 wrote
the first tuning messages, 3-5 the newer ones, 6-7, 9, 11, 13 and 15 the
newest, each with a column of its own: all of writer 6's messages are here
and none in the bank, so writer 6 is the honest check of how the net does
on a writer it has not seen; 40 % of writers 7, 9, 11, 13 and 15 are here, the
other 60 % in the bank); --writers 3,4,5 scores only those writers, and
--show prints the tuning messages got wrong (the tuning set's words may be
read; the evaluation set's never are), except writer 6's, which it only
counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from safety_scores import (  # noqa: E402
    EVALUATION,
    ROUTES,
    TUNING,
    Case,
    Outcome,
    below_floor,
    first_line_right,
    load_cases,
    score,
    table,
)


def outcome_of(parsed: Dict) -> Outcome:
    """What the bot does with a parsed message: the route its intent takes,
    an ambulance first (the crisis_act entity), or the note."""
    intent = (parsed.get("intent") or {}).get("name")
    route = intent if intent in ROUTES else None
    act = any(e.get("entity") == "crisis_act" for e in parsed.get("entities") or [])
    note = route is None and bool((parsed.get("safety") or {}).get("note"))
    return Outcome(route, act, note, tuple((parsed.get("safety") or {}).get("signals") or ()))


def quiet() -> None:
    """Rasa logs each parsed message's text at debug level (structlog): the
    evaluation set's words must not be printed, so nothing below a warning is."""
    import logging

    import structlog

    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def outcomes(model: Path, texts: List[str]) -> List[Outcome]:
    import contextlib
    import io

    from rasa.core.agent import Agent

    quiet()
    agent = Agent.load(str(model))
    quiet()  # loading configures Rasa's logging again

    async def parse_all() -> List[Outcome]:
        return [outcome_of(await agent.parse_message(text)) for text in texts]

    with contextlib.redirect_stdout(io.StringIO()):
        return asyncio.run(parse_all())


def measure(model: Path, sets: Dict[str, Path]) -> Dict[str, Dict[str, object]]:
    results = {}
    for name, path in sets.items():
        cases = load_cases(path)
        results[name] = score(cases, outcomes(model, [c.text for c in cases]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="fail below the evaluation floor")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--tuning-only", action="store_true", help="the tuning set alone; never opens the evaluation set"
    )
    parser.add_argument(
        "--evaluation-only", action="store_true", help="the evaluation set alone (make test; make bench reports both)"
    )
    parser.add_argument("--writers", help="with --tuning-only: these writers' messages only (such as 3,4,5)")
    parser.add_argument("--show", action="store_true", help="with --tuning-only: print the messages got wrong")
    args = parser.parse_args()
    if (args.writers or args.show) and not args.tuning_only:
        parser.error("--writers and --show go with --tuning-only")
    if args.evaluation_only and args.tuning_only:
        parser.error("--evaluation-only and --tuning-only: choose one")
    if args.tuning_only:
        if args.check:
            parser.error("--check measures the evaluation set; it cannot go with --tuning-only")
        writers = {int(w) for w in args.writers.split(",")} if args.writers else None
        return tuning_only(args.model, args.json, writers, args.show)
    sets = {"evaluation": EVALUATION} if args.evaluation_only else {"evaluation": EVALUATION, "tuning": TUNING}
    results = measure(args.model, sets)
    print("Safety routes (bench/safety_scores.py), the model's whole NLU pipeline:\n")
    columns = [("evaluation set (blind)", results["evaluation"])]
    print(table(columns + ([("tuning set", results["tuning"])] if "tuning" in results else [])))
    missed = results["evaluation"]["missed"]
    print(f"Evaluation set: {len(missed)} danger messages without their route's first line" + (":" if missed else "."))
    for miss in missed:
        print(
            f"  - {miss['route']} ({miss['kind']}{', act under way' if miss['act_under_way'] else ''}): "
            f"got {miss['got']}"
        )
    print("Evaluation false alarms by kind:", ", ".join(results["evaluation"]["false_alarm_kinds"]) or "none")
    for name in results:
        print(
            f"Strong signals ({name}): in false alarms {results[name]['strong_sources_in_false_alarms']}, "
            f"in danger messages routed {results[name]['strong_sources_in_routed_danger']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    if args.check:
        problems = below_floor(results["evaluation"])
        for problem in problems:
            print("BELOW THE FLOOR:", problem)
        return 1 if problems else 0
    return 0


def groups_of(writers: List[int]) -> List[Tuple[str, List[int]]]:
    """Column names and the writers in each: each writer group, then each writer."""
    present = sorted(set(writers))
    old = [w for w in present if w <= 2]
    new = [w for w in present if 3 <= w <= 5]
    newest = [w for w in present if 6 <= w <= 7]  # writer 9 has its own column only
    named: List[Tuple[str, List[int]]] = []
    for label, part in (("writers 1-2", old), ("writers 3-5", new), ("writers 6-7", newest)):
        if part and len(present) > 1:
            named.append((label, part))
    named += [(f"writer {w}", [w]) for w in present if len(present) > 1]
    return named


def wrong(case: Case, got: Outcome) -> bool:
    """A tuning message answered wrongly: a near-miss that got a route or the
    note, or a danger message without its route's first line."""
    if case.route == "none":
        return bool(got.route or got.note)
    return not first_line_right(case, got)


# Writers whose tuning messages are scored but never shown: the honest check on
# a writer the net has not seen (writer 6) stays honest only unread.
SCORE_ONLY = frozenset({6})


def shown(cases: List[Case], got: List[Outcome]) -> List[str]:
    """--show's lines: each tuning message got wrong, with its signals; a
    score-only writer's misses as a count, never their words."""
    lines, hidden = [], 0
    for case, outcome in zip(cases, got, strict=True):
        if not wrong(case, outcome):
            continue
        if case.writer in SCORE_ONLY:
            hidden += 1
            continue
        what = outcome.route or ("note" if outcome.note else "normal answer")
        lines.append(
            f"- w{case.writer} {case.route}/{case.kind} act={case.act} got {what} act={outcome.act} "
            f"| {case.text}\n     {list(outcome.signals)}"
        )
    if hidden:
        lines.append(f"(and {hidden} of writer {', '.join(map(str, sorted(SCORE_ONLY)))}'s, score only: not shown)")
    return lines


def tuning_only(model: Path, json_path: Path | None, only: Set[int] | None = None, show: bool = False) -> int:
    cases = [c for c in load_cases(TUNING) if only is None or c.writer in only]
    writers = [c.writer for c in cases]
    got = outcomes(model, [c.text for c in cases])
    results = {"tuning": score(cases, got)}
    columns = [("tuning set" + (f" (writers {', '.join(map(str, sorted(only)))})" if only else ""), results["tuning"])]
    for label, part in groups_of(writers):
        idx = [i for i, w in enumerate(writers) if w in part]
        results[label] = score([cases[i] for i in idx], [got[i] for i in idx])
        columns.append((label, results[label]))
    print("Safety routes (bench/safety_scores.py), the model's whole NLU pipeline, TUNING set only:\n")
    print(table(columns))
    missed = results["tuning"]["missed"]
    print(f"Tuning set: {len(missed)} danger messages without their route's first line.")
    print("Tuning false alarms by kind:", ", ".join(results["tuning"]["false_alarm_kinds"]) or "none")
    if show:
        print("\n".join(shown(cases, got)))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
