"""Scores the date reader on a set of parents' messages (issue 17).

    .venv/bin/python bench/dates_score.py [tests/tuning/dates.yml] [--misses]

Each case (tests/tuning/dates.yml, tests/evaluation/dates.yml) gives the day
the parent wrote, the message, and what a careful reader takes from it: the
conference date, its time, an impossible date, whether the conference has
happened (tense), and the date asked for (asks). The message goes through the
same two NLU steps the bot runs (ConferenceWordsExtractor, then
DateExtractor, on that day at noon in London), and each field is compared:
- conference_date, time: the `date` and `time` entities (or none);
- invalid_date: an `invalid_date` entity, when and only when one is expected;
- tense: past when the date read is before that day; with no date, the
  tense the words give;
- asks: the milestones the words name, as the set's names (report, arrive,
  supporter...). "all" and "none" both mean no single date is named (the
  bot then gives every date); they differ only in the intent, which needs
  the trained model, so both count as right when no milestone is named.
A case is right when all five are. Prints a table per feature and per asks.
The evaluation set is only scored here, never tuned on.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if __name__ == "__main__":
    # Quiet start-up for the table; imported by the tests, nothing changes.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore")

from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from companion.nlu.components import ConferenceWordsExtractor, DateExtractor  # noqa: E402
from companion.nlu.dates import LONDON, DateFinder  # noqa: E402

FEATURES = ("conference_date", "time", "invalid_date", "tense", "asks")
# Milestone keys (content/conference_words.yml) in the sets' words.
ASKS = {
    "reports": "report",
    "arrive_early": "arrive",
    "tell_chair": "supporter",
    "next_review": "review",
    "minutes": "minutes",
    "complaint_deadline": "complaint",
    "first_core_group": "core_group",
    "core_groups": "core_group",
    "plan_copy": "plan_copy",
    "invitation_letter": "invitation",
}
NO_SINGLE_DATE = ("all", "none")


def load_cases(path: Path) -> List[Dict[str, Any]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return list(data["cases"])


class Reader:
    """The bot's two date steps, run for a given day."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._words = ConferenceWordsExtractor(ConferenceWordsExtractor.get_default_config())
        self._dates = DateExtractor(now=lambda: datetime.combine(self._day, time(12), tzinfo=LONDON))
        self._finder = DateFinder()

    def read(self, text: str, day: date) -> Dict[str, Any]:
        self._day = day
        message = Message(data={TEXT: text})
        self._words.process([message])
        self._dates.process([message])
        entities = {
            e["entity"]: e for e in reversed(message.get(ENTITIES) or []) if e.get("extractor") == "DateExtractor"
        }
        found = entities.get("date", {}).get("value")
        reading = self._finder.read(text, datetime.combine(day, time(12), tzinfo=LONDON))
        tense = ("past" if date.fromisoformat(found) < day else "future") if found else reading.tense
        named = [ASKS.get(key, key) for key in message.get("milestones") or []]
        return {
            "conference_date": found,
            "time": entities.get("time", {}).get("value"),
            "invalid_date": entities.get("invalid_date", {}).get("value"),
            "tense": tense,
            "asks": sorted(set(named)),
        }


def _same_words(found: str | None, expected: str | None) -> bool:
    if (found is None) != (expected is None):
        return False
    if found is None:
        return True
    a, b = found.lower().strip(" ,."), str(expected).lower().strip(" ,.")
    return a in b or b in a


def judge(case: Mapping[str, Any], got: Mapping[str, Any]) -> Dict[str, bool]:
    expected_date = case.get("conference_date")
    expected_date = expected_date.isoformat() if isinstance(expected_date, date) else expected_date
    asks = case.get("asks")
    return {
        "conference_date": got["conference_date"] == expected_date,
        "time": got["time"] == (case.get("time") or None),
        "invalid_date": _same_words(got["invalid_date"], case.get("invalid_date")),
        "tense": got["tense"] == case.get("tense"),
        "asks": (not got["asks"]) if asks in NO_SINGLE_DATE else got["asks"] == [asks],
    }


def score(path: Path, reader: Reader | None = None) -> Dict[str, Any]:
    reader = reader or Reader()
    cases = load_cases(path)
    results = []
    for case in cases:
        today = case["today"] if isinstance(case["today"], date) else date.fromisoformat(str(case["today"]))
        got = reader.read(str(case["text"]), today)
        verdict = judge(case, got)
        results.append({"case": case, "got": got, "right": verdict, "all": all(verdict.values())})
    return summarise(results)


def summarise(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    def rate(rows, feature=None):
        if not rows:
            return None
        right = [r["all"] if feature is None else r["right"][feature] for r in rows]
        return sum(right) / len(rows)

    clear = [r for r in results if not r["case"].get("ambiguous")]
    by_asks: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_asks[str(r["case"].get("asks"))].append(r)
    return {
        "cases": len(results),
        "all": rate(results),
        "all_clear": rate(clear),
        "features": {f: rate(results, f) for f in FEATURES},
        # Of the cases that have one: the date, time and impossible date read right.
        "with_date": rate([r for r in results if r["case"].get("conference_date")], "conference_date"),
        "with_time": rate([r for r in results if r["case"].get("time")], "time"),
        "with_invalid": rate([r for r in results if r["case"].get("invalid_date")], "invalid_date"),
        "asks": {
            name: {"cases": len(rows), "asks": rate(rows, "asks"), "all": rate(rows)}
            for name, rows in sorted(by_asks.items())
        },
        "results": results,
    }


def report(summary: Mapping[str, Any], misses: bool = False) -> str:
    def pct(value):
        return "-" if value is None else f"{100 * value:.1f}%"

    lines = [
        f"Cases: {summary['cases']}",
        "",
        f"All five fields right: {pct(summary['all'])} (without the ambiguous ones: {pct(summary['all_clear'])})",
        "",
        "| feature | right |",
        "|---|---|",
    ]
    lines += [f"| {f} | {pct(v)} |" for f, v in summary["features"].items()]
    lines += [
        f"| conference_date, of cases with one | {pct(summary['with_date'])} |",
        f"| time, of cases with one | {pct(summary['with_time'])} |",
        f"| invalid_date, of cases with one | {pct(summary['with_invalid'])} |",
        "",
        "| asks | cases | asks right | all right |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {row['cases']} | {pct(row['asks'])} | {pct(row['all'])} |" for name, row in summary["asks"].items()
    ]
    if misses:
        lines.append("")
        for r in summary["results"]:
            if r["all"]:
                continue
            wrong = [f for f, ok in r["right"].items() if not ok]
            case = r["case"]
            lines.append(f"- [{case['today']}] {case['text']}")
            for f in wrong:
                expected = case.get(f)
                lines.append(f"    {f}: got {r['got'][f]!r}, expected {expected!s}")
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "tests" / "tuning" / "dates.yml"))
    parser.add_argument("--misses", action="store_true", help="list the cases read wrongly")
    args = parser.parse_args(argv)
    print(report(score(Path(args.path)), misses=args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
