"""`make import-reviewed`: staff's labels become training examples.

Each message labelled "it is this topic" and not imported yet is added as
an example of that intent, in the data/nlu/<area>.yml file where the
intent's examples are (data/nlu mirrors domain/ area by area, and the
training-data tests read those files, so a separate file would sit outside
both). Refused, and listed: a message already in the training data, in the
held-out set (tests/nlu_holdout.yml), the blind evaluation sets
(tests/evaluation), the tuning sets (tests/tuning) or the test stories, and
a label naming an intent the bot no longer has. Messages labelled "needs a
new topic" are listed with their notes, for whoever writes the answer.

Then `rasa data validate` runs; if it fails, the files are put back as they
were and nothing is marked imported. `git diff data/nlu` shows what changed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Tuple

import yaml

from staff.words import ROOT, words

EVALUATION_PLACES = ("tests/nlu_holdout.yml", "tests/evaluation", "tests/tuning", "tests/stories")


def normalise(text: str) -> str:
    """As tests/data/test_training_data.py compares messages."""
    return re.sub(r"[^a-z0-9 ]", "", " ".join(text.lower().split()))


def training_text(text: str) -> str:
    """A stored (redacted) message as a training example: tags become made-up
    words, no brackets (Rasa reads [..](..) as an entity), one line."""
    for tag, word in words()["training_placeholders"].items():
        text = text.replace(tag, str(word))
    text = re.sub(r"[\[\]{}]", "", text)
    return " ".join(text.split())


def _strings(data, keys: Tuple[str, ...]) -> Iterable[str]:
    """Every string under one of ``keys`` in parsed YAML, and each line of NLU examples."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "examples" and isinstance(value, str):
                for line in value.splitlines():
                    if line.strip().startswith("- "):
                        yield line.strip()[2:]
            elif key in keys and isinstance(value, str):
                yield value
            else:
                yield from _strings(value, keys)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, keys)


def known_messages(root: Path) -> Dict[str, str]:
    """normalised text -> where it is, for training, held-out, evaluation and test messages."""
    known: Dict[str, str] = {}
    places = ["data/nlu"] + list(EVALUATION_PLACES)
    for place in places:
        path = root / place
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            for text in _strings(data, ("text", "user")):
                known.setdefault(normalise(text), str(file.relative_to(root)))
    return known


def intent_files(root: Path) -> Dict[str, Path]:
    """intent -> the data/nlu file holding its examples."""
    found = {}
    for file in sorted((root / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block:
                found.setdefault(block["intent"], file)
    return found


def add_examples(text: str, intent: str, examples: List[str]) -> str:
    """The file's text with ``examples`` added at the end of ``intent``'s block."""
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if re.match(rf"^\s*- intent: {re.escape(intent)}\s*$", line))
    header = next(n for n in range(start + 1, len(lines)) if lines[n].strip().startswith("examples:"))
    header_indent = len(lines[header]) - len(lines[header].lstrip())
    last, indent = header, None
    for n in range(header + 1, len(lines)):
        stripped = lines[n].strip()
        if not stripped:
            continue
        this_indent = len(lines[n]) - len(lines[n].lstrip())
        if this_indent <= header_indent:
            break
        if stripped.startswith("- "):
            last, indent = n, this_indent
    pad = " " * (indent if indent is not None else header_indent + 2)
    lines[last + 1 : last + 1] = [f"{pad}- {example}" for example in examples]
    return "\n".join(lines)


def validate(root: Path) -> Tuple[bool, str]:
    rasa = Path(sys.executable).parent / "rasa"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # the pipeline's steps
    done = subprocess.run(
        [str(rasa), "data", "validate", "--domain", "domain", "--fail-on-warnings"],
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=path),
    )
    return done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def import_reviewed(store, root: Path = ROOT, run_validation: bool = True, out: Callable[[str], None] = print) -> int:
    """Adds the labelled messages to the training data; 0 when done (or nothing to do)."""
    cli = words()["cli"]
    reviews = store.reviews()
    pending = [r for r in reviews if r.kind == "topic" and r.imported_at is None]
    new_topics = [r for r in reviews if r.kind == "new_topic"]
    known = known_messages(root)
    files = intent_files(root)
    added: Dict[Path, Dict[str, List[str]]] = defaultdict(lambda: defaultdict(list))
    duplicates: List[Tuple[str, str]] = []
    unknown: List[str] = []
    handled: List[int] = []
    for review in pending:
        example = training_text(review.text)
        key = normalise(example)
        if review.intent not in files:
            unknown.append(example)
            continue
        handled.append(review.id)
        if not key or key in known:
            duplicates.append((example, known.get(key, "an empty message")))
            continue
        known[key] = "this import"
        added[files[review.intent]][review.intent].append(example)

    originals: Dict[Path, str] = {}
    for file, by_intent in added.items():
        originals[file] = file.read_text(encoding="utf-8")
        text = originals[file]
        for intent, examples in by_intent.items():
            text = add_examples(text, intent, examples)
        file.write_text(text, encoding="utf-8")

    count = sum(len(e) for by_intent in added.values() for e in by_intent.values())
    if count and run_validation:
        ok, output = validate(root)
        if not ok:
            for file, text in originals.items():
                file.write_text(text, encoding="utf-8")
            out(cli["import_validate_failed"])
            out(output)
            return 1
    if handled:
        store.mark_imported(handled)

    if count:
        out(cli["import_added"].format(count=count))
        for file, by_intent in added.items():
            for intent, examples in by_intent.items():
                for example in examples:
                    out(cli["import_added_one"].format(file=file.relative_to(root), intent=intent, text=example))
    else:
        out(cli["import_none"])
    if duplicates:
        out(cli["import_duplicates"].format(count=len(duplicates)))
        for text, where in duplicates:
            out(cli["import_duplicate_one"].format(text=text, where=where))
    if unknown:
        out(cli["import_unknown_intent"].format(count=len(unknown)))
        for text in unknown:
            out("  " + text)
    if new_topics:
        out(cli["import_new_topics"].format(count=len(new_topics)))
        for review in new_topics:
            out(cli["import_new_topic_one"].format(text=review.text, note=review.note or ""))
    if count:
        out(cli["import_next"])
    return 0


def main(argv: List[str] | None = None) -> int:
    import time

    from staff.conversations import conversations
    from staff.queue import all_message_keys
    from staff.reviews import ReviewStore, review_url
    from staff.settings import retention_days
    from staff.tracker import TrackerReader, tracker_location

    argv = sys.argv[1:] if argv is None else argv
    tracker = tracker_location()
    store = ReviewStore(review_url(tracker.url if tracker.dialect == "postgresql" else None))
    # First drop labels of conversations deleted since, or past the retention period.
    cutoff = time.time() - retention_days() * 86400
    reader = TrackerReader(tracker)
    store.keep_only(all_message_keys(conversations(reader.events(cutoff, time.time() + 86400))), cutoff)
    reader.dispose()
    return import_reviewed(store, run_validation="--no-validate" not in argv)


if __name__ == "__main__":
    from staff.quiet import keep_tensorflow_out

    keep_tensorflow_out()
    sys.exit(main())
