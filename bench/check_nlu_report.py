"""Reads Rasa's intent_report.json and fails below a macro F1 threshold.

Prints the macro F1, accuracy and the intents that scored worst, so a
failure says where to add training examples.
"""

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--min-macro-f1", type=float, required=True)
    args = parser.parse_args()
    with open(args.report, encoding="utf-8") as handle:
        report = json.load(handle)
    macro = report["macro avg"]["f1-score"]
    accuracy = report["accuracy"]
    per_intent = {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and "support" in scores and "avg" not in name
    }
    print(f"Held-out intents: {len(per_intent)}, messages: {int(report['macro avg']['support'])}")
    print(f"Macro F1: {macro:.3f}   accuracy: {accuracy:.3f}   (threshold {args.min_macro_f1:.2f})")
    worst = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:5]
    for name, scores in worst:
        confused = scores.get("confused_with") or {}
        note = ", ".join(f"{k} x{v}" for k, v in confused.items())
        print(f"  {name:32s} F1 {scores['f1-score']:.2f}  {('confused with ' + note) if note else ''}")
    if macro < args.min_macro_f1:
        print(f"FAIL: macro F1 {macro:.3f} is below {args.min_macro_f1:.2f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
