"""`make import-reviewed`: labels become training examples, never duplicates."""

import shutil
import time
from pathlib import Path

import pytest
import yaml

from staff.import_reviewed import add_examples, import_reviewed, known_messages, normalise, training_text
from staff.reviews import ReviewStore

ROOT = Path(__file__).resolve().parents[2]
PLACES = ["data/nlu", "tests/nlu_holdout.yml", "tests/evaluation", "tests/tuning", "tests/stories"]


def copy_repo(tmp: Path, places=PLACES) -> Path:
    for place in places:
        source, target = ROOT / place, tmp / place
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return tmp


def first_text(path: Path, key: str = "text") -> str:
    def walk(data):
        if isinstance(data, dict):
            if isinstance(data.get(key), str):
                return data[key]
            for value in data.values():
                found = walk(value)
                if found:
                    return found
        if isinstance(data, list):
            for item in data:
                found = walk(item)
                if found:
                    return found
        return None

    return walk(yaml.safe_load(path.read_text(encoding="utf-8")))


def examples_of(root: Path, file: str, intent: str):
    data = yaml.safe_load((root / "data" / "nlu" / file).read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if b.get("intent") == intent)
    return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]


@pytest.fixture()
def store(tmp_path):
    return ReviewStore(f"sqlite:///{tmp_path / 'staff.db'}")


def label(store, n, text, intent="ask_jargon", kind="topic", note=""):
    store.label(f"sender-{n}", time.time() - n, kind, intent, note, text, "alice")


def test_labelled_messages_become_examples_of_their_intent_and_duplicates_are_refused(tmp_path, store):
    root = copy_repo(tmp_path / "repo")
    training = examples_of(root, "basics.yml", "ask_jargon")[0]
    holdout = next(
        text
        for intent, text in [
            (b["intent"], line.strip()[2:])
            for b in yaml.safe_load((root / "tests/nlu_holdout.yml").read_text())["nlu"]
            for line in b["examples"].splitlines()
            if line.strip().startswith("- ")
        ]
    )
    evaluation = first_text(root / "tests/evaluation/understanding.yml")
    tuning = first_text(next((root / "tests/tuning").glob("*.yml")))
    label(store, 1, "what does the LADO do at the meeting")
    label(store, 2, "my son [name] wants to know what a core group is", intent="ask_core_group")
    label(store, 3, training.upper() + "!")  # the same words, other case and marks
    label(store, 4, holdout)
    label(store, 5, evaluation)
    label(store, 6, tuning, intent="ask_venue")
    label(store, 7, "what does the LADO do at the meeting?")  # twice in one import
    label(store, 8, "is there parking at the venue", kind="not_relevant", intent=None)
    label(store, 9, "can I record the meeting", kind="new_topic", intent=None, note="recording rules")
    lines = []
    before = {p.name: p.read_text() for p in (root / "data/nlu").glob("*.yml")}

    assert import_reviewed(store, root, run_validation=False, out=lines.append) == 0
    output = "\n".join(lines)
    assert "what does the LADO do at the meeting" in examples_of(root, "basics.yml", "ask_jargon")
    assert "my son Alex wants to know what a core group is" in examples_of(root, "after.yml", "ask_core_group")
    everything = "".join(p.read_text() for p in (root / "data/nlu").glob("*.yml"))
    for refused in (holdout, evaluation, tuning, "is there parking at the venue"):
        assert normalise(refused) not in {normalise(line) for line in everything.splitlines()}, refused
    assert "Added 2 reviewed messages" in output and "Skipped 5 that are already" in output
    assert "tests/nlu_holdout.yml" in output and "tests/evaluation/understanding.yml" in output
    assert "recording rules" in output
    changed = [name for name, text in before.items() if (root / "data/nlu" / name).read_text() != text]
    assert sorted(changed) == ["after.yml", "basics.yml"]
    # Only lines were added, each file is still Rasa NLU YAML.
    for name in changed:
        old, new = before[name].splitlines(), (root / "data/nlu" / name).read_text().splitlines()
        assert len(new) == len(old) + 1 and all(line in new for line in old)
        assert yaml.safe_load((root / "data/nlu" / name).read_text())["version"] == "3.1"

    lines.clear()
    assert import_reviewed(store, root, run_validation=False, out=lines.append) == 0
    assert "Nothing new to import." in lines[0]
    assert examples_of(root, "basics.yml", "ask_jargon").count("what does the LADO do at the meeting") == 1


def test_known_messages_cover_training_and_every_evaluation_set():
    known = known_messages(ROOT)
    where = set(known.values())
    for place in ("data/nlu/", "tests/nlu_holdout.yml", "tests/evaluation/", "tests/tuning/", "tests/stories/"):
        assert any(w.startswith(place) for w in where), place


def test_a_training_example_has_no_tags_or_brackets():
    assert (
        training_text("call me on [phone] about [name]'s plan [x](y)")
        == "call me on 07700 900000 about Alex's plan x(y)"
    )


def test_examples_go_at_the_end_of_their_own_block():
    text = (
        "nlu:\n  - intent: a\n    examples: |\n      - one\n      - two\n\n  - intent: b\n    examples: |\n      - x\n"
    )
    assert (
        add_examples(text, "a", ["three"])
        == "nlu:\n  - intent: a\n    examples: |\n      - one\n      - two\n      - three\n\n  - intent: b\n"
        "    examples: |\n      - x\n"
    )


def test_a_failed_data_check_puts_the_training_data_back(tmp_path, store):
    root = copy_repo(tmp_path / "repo", ["config.yml", "domain", "data"] + PLACES[1:])
    label(store, 1, "what does the LADO do at the meeting")
    rule = root / "data/rules/basics.yml"
    rule.write_text(rule.read_text().replace("utter_what_is_conference", "utter_no_such_answer"))
    before = (root / "data/nlu/basics.yml").read_text()
    lines = []
    assert import_reviewed(store, root, out=lines.append) == 1
    assert "rasa data validate failed" in lines[0]
    assert (root / "data/nlu/basics.yml").read_text() == before
    assert store.reviews()[0].imported_at is None

    shutil.copy(ROOT / "data/rules/basics.yml", rule)
    lines.clear()
    assert import_reviewed(store, root, out=lines.append) == 0, "\n".join(lines)
    assert "what does the LADO do at the meeting" in examples_of(root, "basics.yml", "ask_jargon")
    assert store.reviews()[0].imported_at is not None
