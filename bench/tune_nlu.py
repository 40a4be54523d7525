"""`make tune`: the NLU experiments behind config.yml (issue #5).

Trains one NLU model per variant of our pipeline, on the same training data,
and scores each on the held-out messages (tests/nlu_holdout.yml) exactly as
`make bench` scores ours. Then, for the chosen pipeline, the FallbackClassifier
trade-off: how many messages each threshold declines and how many it answers
wrongly. Writes bench/results/tuning.json and tuning.md; docs/performance.md
records what was kept and why.

    make tune                       every variant (about 15 minutes)
    make tune VARIANTS="chosen,lemmas"   only some
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from benchmark import ENV, OUT, RASA, holdout, log, predict, run, scores, train_nlu  # noqa: E402

Pipeline = List[Dict]
NOT_FAQ = {
    "ask_dates",
    "give_conference_details",
    "affirm",
    "deny",
    "greet",
    "goodbye",
    "thank",
    "child_in_danger",
    "parent_in_crisis",
    "out_of_scope",
    "insult",
    "show_menu",
    "delete_my_conversation",
    "ask_for_human",
    "ask_if_bot",
}


def step(pipeline: Pipeline, name: str, **match) -> Dict:
    return next(s for s in pipeline if s["name"] == name and all(s.get(k) == v for k, v in match.items()))


def char_ngrams(low: int, high: int) -> Callable[[Pipeline, Path], Pipeline]:
    def change(pipeline: Pipeline, work: Path) -> Pipeline:
        chars = step(pipeline, "CountVectorsFeaturizer", analyzer="char_wb")
        chars["min_ngram"], chars["max_ngram"] = low, high
        return pipeline

    return change


def without_chars(pipeline: Pipeline, work: Path) -> Pipeline:
    return [s for s in pipeline if s.get("analyzer") != "char_wb"]


SENTENCE_MODEL_STEPS = ("WordVectorsFeaturizer", "SecondOpinionClassifier")


def configure(name: str | Tuple[str, ...], **settings) -> Callable[[Pipeline, Path], Pipeline]:
    """Sets `settings` on every step whose name ends with `name` (or one of them)."""

    def change(pipeline: Pipeline, work: Path) -> Pipeline:
        for entry in pipeline:
            if entry["name"].endswith(name):
                entry.update(settings)
        return pipeline

    return change


def without(name: str) -> Callable[[Pipeline, Path], Pipeline]:
    return lambda pipeline, work: [s for s in pipeline if not s["name"].endswith(name)]


def diet(pipeline: Pipeline, work: Path) -> Pipeline:
    """The pipeline before the sentence model (session 3's config.yml): DIET
    with one hidden layer of 256 and no transformer layers, 100 epochs."""
    classifiers = ("WordVectorsFeaturizer", "LogisticRegressionClassifier", "SecondOpinionClassifier")
    at = next(i for i, s in enumerate(pipeline) if s["name"].endswith(classifiers[0]))
    rest = [s for s in pipeline if not s["name"].endswith(classifiers)]
    return (
        rest[:at]
        + [
            {"name": "LexicalSyntacticFeaturizer"},
            {
                "name": "DIETClassifier",
                "epochs": 100,
                "number_of_transformer_layers": 0,
                "hidden_layers_sizes": {"text": [256], "label": []},
                "random_seed": 2026,
                "constrain_similarities": True,
                "entity_recognition": False,
            },
        ]
        + rest[at:]
    )


def lemmas(pipeline: Pipeline, work: Path) -> Pipeline:
    """spaCy's English lookup lemmatizer (spacy-lookups-data from PyPI) in a
    blank pipeline: no model download. Tokens carry lemmas, and the word
    counts use them ("attending", "attended" -> "attend")."""
    lookups = work / "lookups"
    if not lookups.exists():
        run(
            [
                str(ROOT / ".venv/bin/pip"),
                "install",
                "--quiet",
                "--no-deps",
                "--target",
                str(lookups),
                "spacy-lookups-data==1.0.3",
            ],
            timeout=900,
        )
    model = work / "spacy-en-lemmas"
    builder = (
        "import spacy, sys; nlp = spacy.blank('en'); nlp.add_pipe('lemmatizer', "
        "config={'mode': 'lookup'}); nlp.initialize(); nlp.to_disk(sys.argv[1])"
    )
    run([str(ROOT / ".venv/bin/python"), "-c", builder, str(model)], env=dict(ENV, PYTHONPATH=f"{lookups}:{ROOT}"))
    rest = [s for s in pipeline if s["name"] != "WhitespaceTokenizer"]
    return [{"name": "SpacyNLP", "model": str(model)}, {"name": "SpacyTokenizer"}] + rest


def retrieval(pipeline: Pipeline, work: Path) -> Pipeline:
    """FAQ topics as one retrieval intent (faq/<topic>) picked by a
    ResponseSelector, as Rasa suggests for FAQ assistants."""
    at = next(i for i, s in enumerate(pipeline) if s["name"].endswith("SecondOpinionClassifier")) + 1
    return (
        pipeline[:at]
        + [{"name": "ResponseSelector", "retrieval_intent": "faq", "epochs": 100, "random_seed": 2026}]
        + pipeline[at:]
    )


VARIANTS: Dict[str, Tuple[str, Callable[[Pipeline, Path], Pipeline]]] = {
    "chosen": ("config.yml as it is", lambda p, w: p),
    "diet": ("DIET instead (the pipeline before the sentence model)", diet),
    "no-word-vectors": ("counts only for the first classifier", without("WordVectorsFeaturizer")),
    "no-second-opinion": ("no second opinion", without("SecondOpinionClassifier")),
    "always-second-opinion": (
        "second opinion on every message",
        configure("SecondOpinionClassifier", consult_below=1.01),
    ),
    "consult-half": ("second opinion below 0.5", configure("SecondOpinionClassifier", consult_below=0.5)),
    "scale-1": ("sentence vectors unscaled", configure(SENTENCE_MODEL_STEPS, scale=1.0)),
    "scale-30": ("sentence vectors x 30", configure(SENTENCE_MODEL_STEPS, scale=30.0)),
    "no-unknown-words-guard": ("no unknown-words guard", without("UnknownWordsGuard")),
    "chars-1-4": ("character n-grams 1 to 4", char_ngrams(1, 4)),
    "chars-3-5": ("character n-grams 3 to 5", char_ngrams(3, 5)),
    "no-chars": ("words only, no character n-grams", without_chars),
    "lemmas": ("spaCy lookup lemmas for the word counts", lemmas),
    "retrieval": ("FAQ topics as retrieval intents + ResponseSelector", retrieval),
}


def retrieval_data(work: Path) -> Tuple[Path, Path]:
    """Our NLU data and a domain with the FAQ intents renamed faq/<topic>."""
    nlu_dir = work / "retrieval-nlu"
    nlu_dir.mkdir(exist_ok=True)
    topics = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        data = yaml.safe_load(path.read_text())
        for block in data.get("nlu", []):
            if block.get("intent") and block["intent"] not in NOT_FAQ:
                topics.add(block["intent"])
                block["intent"] = f"faq/{block['intent']}"
        (nlu_dir / path.name).write_text(yaml.safe_dump(data, sort_keys=False))
    domain = {
        "version": "3.1",
        "intents": sorted(NOT_FAQ) + ["faq"],
        "responses": {f"utter_faq/{t}": [{"text": t}] for t in sorted(topics)},
    }
    (work / "retrieval-domain.yml").write_text(yaml.safe_dump(domain))
    return nlu_dir, work / "retrieval-domain.yml"


def thresholds(truth: List[str], predicted: List[Dict]) -> List[Dict]:
    """What each FallbackClassifier threshold would do on the held-out set.
    Safety routes are decided by rules after the classifier, so they are
    left out of this trade-off (they are scored apart)."""
    rows = []
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        declined = wrong = right = 0
        for true, p in zip(truth, predicted, strict=True):
            if p["confidence"] < threshold:
                declined += 1
            elif p["top"] == true:
                right += 1
            else:
                wrong += 1
        answered = right + wrong
        rows.append(
            {
                "threshold": threshold,
                "declined": round(declined / len(truth), 3),
                "wrong": round(wrong / len(truth), 3),
                "precision": round(right / answered, 3) if answered else 1.0,
                "recall": round(right / len(truth), 3),
            }
        )
    return rows


TED = {"name": "TEDPolicy", "max_history": 5, "epochs": 100, "random_seed": 2026}


def policies(work: Path) -> Dict[str, Dict]:
    """Our policies (RulePolicy + MemoizationPolicy) against the same plus
    TEDPolicy: training time, model size, and the conversation tests
    (tests/stories, as make test runs them)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    out = {}
    for name, extra in (("rules-and-memoization", []), ("plus-TEDPolicy", [TED])):
        log(f"Policies: {name}")
        variant = copy.deepcopy(config)
        variant["policies"] = variant["policies"] + extra
        (work / f"{name}.yml").write_text(yaml.safe_dump(variant, sort_keys=False))
        seconds = run(
            [
                RASA,
                "train",
                "--domain",
                "domain",
                "--config",
                str(work / f"{name}.yml"),
                "--fixed-model-name",
                name,
                "--out",
                str(work),
            ],
            env=dict(ENV, RASA_CACHE_DIRECTORY=str(work / "cache-policies")),
        )
        model = next(work.glob(f"*{name}.tar.gz"))
        results = work / f"stories-{name}"
        subprocess.run(
            [
                RASA,
                "test",
                "core",
                "--stories",
                "tests/stories",
                "--model",
                str(model),
                "--out",
                str(results),
                "--e2e",
                "--quiet",
            ],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            timeout=1800,
        )
        failed = results / "failed_test_stories.yml"
        failures = failed.read_text().count("- story:") if failed.exists() else 0
        report = json.loads((results / "story_report.json").read_text())
        out[name] = {
            "training_s": round(seconds, 1),
            "model_mb": round(model.stat().st_size / 1e6, 1),
            "failed_stories": failures,
            "action_accuracy": round(report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0)), 3),
        }
        log(f"  training {seconds:.0f} s, failed stories {failures}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--policies", action="store_true", help="also compare with TEDPolicy")
    arguments = parser.parse_args()
    names = [n for n in arguments.variants.split(",") if n]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    test_set = holdout()
    truth, texts = [i for i, _ in test_set], [t for _, t in test_set]
    OUT.mkdir(parents=True, exist_ok=True)
    report: Dict[str, object] = {"variants": {}}
    with tempfile.TemporaryDirectory(prefix="cc-tune-") as tmp:
        work = Path(tmp)
        for name in names:
            description, change = VARIANTS[name]
            log(f"Variant {name}: {description}")
            variant = copy.deepcopy(config)
            variant["pipeline"] = change(variant["pipeline"], work)
            variant["policies"] = []
            (work / f"{name}.yml").write_text(yaml.safe_dump(variant, sort_keys=False))
            nlu, extra = ROOT / "data" / "nlu", []
            if name == "retrieval":
                nlu, domain = retrieval_data(work)
                extra = ["--domain", str(domain)]
            model, seconds = train_nlu(work, name, work / f"{name}.yml", nlu, extra)
            predicted = predict(model, texts)
            guesses = [re.sub(r"^faq/", "", p["intent"]) for p in predicted]
            result = scores(list(zip(truth, guesses, strict=True)))
            result.update(
                description=description, training_s=round(seconds, 1), model_mb=round(model.stat().st_size / 1e6, 1)
            )
            report["variants"][name] = result
            log(
                f"  macro F1 {result['macro_f1']}, wrong {result['wrong_rate']:.1%}, "
                f"not sure {result['fallback_rate']:.1%}, training {seconds:.0f} s"
            )
            if name == "chosen":
                report["fallback_thresholds"] = thresholds(truth, predicted)
            (OUT / "tuning.json").write_text(json.dumps(report, indent=2))
        if arguments.policies:
            report["policies"] = policies(work)
            (OUT / "tuning.json").write_text(json.dumps(report, indent=2))
    (OUT / "tuning.md").write_text(markdown(report))
    print(markdown(report))
    return 0


def markdown(report: Dict) -> str:
    rows = [
        "## NLU variants (held-out messages)",
        "",
        "| variant | macro F1 | accuracy | not sure | wrong | training | model |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["variants"].values():
        rows.append(
            f"| {r['description']} | {r['macro_f1']} | {r['accuracy']} | {r['fallback_rate']:.1%} "
            f"| {r['wrong_rate']:.1%} | {r['training_s']} s | {r['model_mb']} MB |"
        )
    if "fallback_thresholds" in report:
        rows += [
            "",
            "## FallbackClassifier threshold (chosen pipeline)",
            "",
            "| threshold | declined | answered wrongly | precision | recall |",
            "|---|---|---|---|---|",
        ]
        rows += [
            f"| {t['threshold']} | {t['declined']:.1%} | {t['wrong']:.1%} | {t['precision']} | {t['recall']} |"
            for t in report["fallback_thresholds"]
        ]
    if "policies" in report:
        rows += [
            "",
            "## Policies (full model, tests/stories)",
            "",
            "| policies | training | model | failed test stories | action accuracy |",
            "|---|---|---|---|---|",
        ]
        rows += [
            f"| {name} | {p['training_s']} s | {p['model_mb']} MB | {p['failed_stories']} | {p['action_accuracy']} |"
            for name, p in report["policies"].items()
        ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
