"""No sentence a parent sees is written in Python.

Every word the bot says lives in domain/ or content/, so a council changes
it in one YAML file. This reads the Python in actions/ and companion/ with
`ast` and fails on any string that looks like words for a person (a space
and some letters, once {placeholders} are taken out), unless it is:

- a docstring, or a comment (which `ast` never sees);
- in a `raise` or `assert`, or given to logging, print or warnings: those
  are for developers and operators;
- a dict key, a type annotation, an f-string's format spec, a regular
  expression (given to a function of `re`, or a list of words such as
  "can|could"), code or a setting ("journal_mode=WAL"), the place an error
  names ("{}: rules[{}]"), or a redaction mark ("[NHS number]");
- on the short allow-list below, each with its reason.

A new sentence for parents belongs in content/ (read through
actions/content.py) or in a response in domain/.
"""

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("actions", "companion")

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
LOGGING_NAMES = {"logger", "logging", "log", "warnings"}
LOGGING_CALLS = {"print", "warn"}

# (file, text): strings that look like words but are not said to a parent,
# or are known and waiting to move. Keep it short; say why. A text ending in
# "..." stands for every string that starts with it.
ALLOWED = {
    # Developers' error messages, built outside the raise that uses them.
    ("actions/profile.py", "a UK phone number"),
    ("actions/profile.py", "an email address"),
    ("actions/profile.py", "a web address starting with https://"),
    ("actions/profile.py", "file not found (set CC_PROFILE to the profile's path)"),
    ("actions/timeline.py", "no timescales for nation {}"),
    ("actions/yaml_files.py", " at line {}"),
    ("companion/nlu/safety.py", " (a pattern matches one word: no spaces inside brackets)"),
    # Rasa's own error message, kept word for word by the patched validator.
    (
        "companion/patches.py",
        ". Failed to validate Action server response from API, make sure "
        "your response from the Action endpoint is valid.",
    ),
    # The plain answer to a request that is not from Twilio.
    ("companion/channels/sms.py", "Bad request: no From"),
    # A readiness probe's status, for the load balancer.
    ("companion/readiness.py", "not ready"),
    # The calendar file's product id (RFC 5545), read by calendar apps only.
    ("actions/your_dates.py", "-//Conference Companion//Your dates//EN"),
    # The GSM-7 alphabet, for counting what fits in a text message.
    ("companion/channels/sms_text.py", "@£$¥èéùìòÇ..."),
}

# Where an error happened, as error messages name it: "{}: sections.{}",
# "profile.yml: timescales", "{}: rules[{}]".
PLACE = re.compile(r"^(\{\}|[\w/.-]+\.ya?ml): [\w.\[\]{}]+$")
# A mark that stands for something taken out ("[NHS number]", "{} [date of
# birth]"): stored or logged, never sent to a parent.
MARK = re.compile(r"^(\{\} ?)?\[[\w ]+\]$")
# Code, SQL or a setting (an equals sign between words), or a regular
# expression's list of words ("can|could|will").
CODE = re.compile(r"\w ?=+ ?[\w']|\w\|\w")


def matches(entry, text):
    return text == entry or entry.endswith("...") and text.startswith(entry[:-3])


def allowed(name, text):
    return any(name == file and matches(entry, text) for file, entry in ALLOWED)


def looks_like_words(text):
    """A space and two letters in a row, outside {placeholders}; not a place
    in an error message, and not code."""
    bare = PLACEHOLDER.sub("", text)
    if " " not in text or re.search(r"[A-Za-z]{2}", bare) is None:
        return False
    return not PLACE.match(text) and not MARK.match(text) and not CODE.search(text)


def _text(node):
    """A string constant, or an f-string with each value written as {}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


def _is_developer_call(call):
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in LOGGING_CALLS
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id == "re":
            return True  # a regular expression
        return isinstance(owner, ast.Name) and owner.id in LOGGING_NAMES
    return False


def _exempt(tree):
    """Every node whose strings are not for parents (see the module docstring)."""
    skip = set()

    def all_of(node):
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, (ast.Raise, ast.Assert)) or (isinstance(node, ast.Call) and _is_developer_call(node)):
            all_of(node)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    all_of(key)
        elif isinstance(node, (ast.AnnAssign, ast.arg)) and node.annotation is not None:
            all_of(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            all_of(node.returns)
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            all_of(node.format_spec)
        elif isinstance(node, ast.JoinedStr):
            # Judged as a whole, not part by part.
            skip.update(id(part) for part in node.values)
    return skip


def sentence_strings(source, filename="<source>"):
    """(line, text) of each string in ``source`` that looks like words for a person."""
    tree = ast.parse(source, filename)
    skip = _exempt(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            text = _text(node)
            if looks_like_words(text):
                found.append((node.lineno, text))
    return sorted(found)


def scanned_files():
    for folder in SCANNED:
        yield from sorted((ROOT / folder).rglob("*.py"))


@lru_cache(maxsize=1)
def found_in_repo():
    found = {}
    for path in scanned_files():
        name = path.relative_to(ROOT).as_posix()
        for line, text in sentence_strings(path.read_text(encoding="utf-8"), name):
            found.setdefault((name, text), line)
    return found


def test_the_scanned_folders_exist():
    assert list(scanned_files()), f"no Python found in {SCANNED}"


def test_no_parent_facing_string_in_python():
    new = [
        f"{name}:{line}: {text!r}" for (name, text), line in sorted(found_in_repo().items()) if not allowed(name, text)
    ]
    assert new == [], "Words for parents belong in content/ or domain/, not in Python:\n  " + "\n  ".join(new)


def test_every_allowed_string_is_still_there():
    """An entry whose string has gone (moved to content/, say) is taken off the list."""
    found = found_in_repo()
    stale = sorted(
        (file, entry)
        for file, entry in ALLOWED
        if not any(name == file and matches(entry, text) for name, text in found)
    )
    assert stale == []


PLANTED = '''
"""A module docstring, which is fine."""
import logging
import re

logger = logging.getLogger(__name__)
PATTERN = re.compile(r"my (son|daughter) is called")
LOOKUP = {"a key with spaces": 1}


def answer(name: "Optional[str]") -> str:
    """A function docstring, which is fine."""
    logger.info("Answering a question about %s", name)
    if not name:
        raise ValueError(f"name is missing for {name}")
    assert name, "a name is needed here"
    when = f"{name:>10}"
    return f"Hello {name}, your report should come soon."


BUTTONS = [{"title": "Ask another question", "payload": "/show_menu"}]
'''


def test_the_check_finds_a_planted_sentence():
    assert sentence_strings(PLANTED) == [
        (18, "Hello {}, your report should come soon."),
        (21, "Ask another question"),
    ]


def test_a_sentence_planted_in_real_code_is_caught():
    source = (ROOT / "actions" / "menu.py").read_text(encoding="utf-8")
    planted = source.replace('{"title": topics.all_topics', '{"title": "Back to all topics"', 1)
    assert planted != source
    new = set(sentence_strings(planted)) - set(sentence_strings(source))
    assert [text for _, text in new] == ["Back to all topics"]


@pytest.mark.parametrize(
    "text, words",
    [
        ("Source: ", True),  # a label before the sources
        ("{label}: {when}", False),  # only placeholders and punctuation
        (", ", False),
        ("conference-dates.ics", False),
        ("{}: sections.{}", False),  # where an error happened
        ("PRAGMA journal_mode=WAL", False),
        ("what if|is there|tell me", False),
        ("{} [date of birth]", False),  # a redaction mark
        ("Talk to a person", True),
        ("What you can do: {advice}", True),
    ],
)
def test_what_counts_as_words(text, words):
    assert looks_like_words(text) is words
