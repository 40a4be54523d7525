"""The chat widget's own words are in content/widget.json, not in its code.

web/src/widget.js imports the messages file (esbuild bundles it) and reads
every label through `words.<name>`. This fails on a string in the script
that looks like English, and on text put straight into the page: a literal
given to textContent, a text node, an element's text (el's third argument)
or a label attribute.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "web" / "src" / "widget.js"
MESSAGES = json.loads((ROOT / "content" / "widget.json").read_text(encoding="utf-8"))
LANGUAGES = {code: words for code, words in MESSAGES.items() if not code.startswith("_")}

COMMENT = re.compile(r"^\s*//.*$|\s//[^\n\"'`]*$", re.MULTILINE)
STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`", re.DOTALL)
TAG = re.compile(r"<[^>]*>")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")
# Where a literal would be shown to, or read out for, a person.
SINKS = [
    re.compile(r"\.textContent\s*=\s*(?P<text>" + STRING.pattern + ")", re.DOTALL),
    re.compile(r"createTextNode\(\s*(?P<text>" + STRING.pattern + ")", re.DOTALL),
    re.compile(r"\bel\([^,()]*,[^,()]*,\s*(?P<text>" + STRING.pattern + ")", re.DOTALL),
    re.compile(
        r"setAttribute\(\s*[\"'](?:aria-label|aria-description|title|placeholder|alt)[\"']\s*,\s*(?P<text>"
        + STRING.pattern
        + ")",
        re.DOTALL,
    ),
]
LABEL_ATTRIBUTE = re.compile(r"\b(?:aria-label|aria-description|title|placeholder|alt)=\"[^\"]*[A-Za-z]")
# Strings of two words that are code, not English for a person.
NOT_WORDS = {'"use strict"', '"noopener noreferrer"'}
# Class names: el's second argument, or what className is set to.
CLASS_NAMES = re.compile(
    r"(?:\bel\(\s*(?:" + STRING.pattern + r")\s*,\s*|className\s*=\s*)(?P<names>" + STRING.pattern + ")", re.DOTALL
)
# Two words in a row: a sentence, a label or a button title.
WORDS = re.compile(r"[A-Za-z]{2,}[^\sA-Za-z]* +[^\sA-Za-z]*[A-Za-z]{2,}")


def code_only(source):
    """The script without its comments."""
    return COMMENT.sub("", source)


def english_strings(source):
    """String literals that read as words. Markup counts for its text only, and
    its label attributes."""
    found = []
    code = code_only(source)
    class_names = {match.group("names") for match in CLASS_NAMES.finditer(code)}
    for literal in STRING.findall(code):
        if literal in NOT_WORDS or literal in class_names:
            continue
        body = INTERPOLATION.sub("", literal[1:-1])
        if "<" in body and LABEL_ATTRIBUTE.search(body):
            found.append(literal)
            continue
        text = TAG.sub(" ", body) if "<" in body else body
        if WORDS.search(text):
            found.append(literal)
    return found


def shown_literals(source):
    """Literals with letters put straight into the page or its labels."""
    code = code_only(source)
    return [
        match.group("text")
        for sink in SINKS
        for match in sink.finditer(code)
        if re.search(r"[A-Za-z]", INTERPOLATION.sub("", match.group("text")[1:-1]))
    ]


def test_the_widget_reads_its_words_from_the_messages_file():
    source = WIDGET.read_text(encoding="utf-8")
    assert 'import messages from "../../content/widget.json";' in source


def test_no_english_in_the_widget_code():
    assert english_strings(WIDGET.read_text(encoding="utf-8")) == []


def test_nothing_is_written_into_the_page_as_a_literal():
    assert shown_literals(WIDGET.read_text(encoding="utf-8")) == []


def test_every_word_the_widget_uses_is_in_english_and_every_english_word_is_used():
    used = set(re.findall(r"\bwords\.(\w+)", code_only(WIDGET.read_text(encoding="utf-8"))))
    assert used - set(LANGUAGES["en"]) == set(), "used but not in content/widget.json"
    assert set(LANGUAGES["en"]) - used == set(), "in content/widget.json but not used"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_each_language_has_only_known_words_and_their_names(code):
    english = LANGUAGES["en"]
    words = LANGUAGES[code]
    assert set(words) <= set(english), f"{code}: words English does not have"
    for name, text in words.items():
        assert isinstance(text, str) and text.strip(), f"{code}.{name} is empty"
        names = set(re.findall(r"\{(\w+)\}", text))
        assert names == set(re.findall(r"\{(\w+)\}", english[name])), f"{code}.{name}: other {{names}}"


PLANTED = """
// A comment may say "Leave this page" or anything else.
import messages from "../../content/widget.json";
const settings = { title: script.dataset.title || "Ask about your conference" };
status.textContent = "Please wait";
root.innerHTML = `<div class="cc"><button aria-label="Close the chat"></button></div>`;
node.prepend(el("span", "visually-hidden", "Bot:"));
node = el("p", "msg bot", words.botSaid);
status.textContent = words.sending;
const KEYS = { session: "cc-session" };
"""


def test_the_checks_find_planted_english():
    assert english_strings(PLANTED) == [
        '"Ask about your conference"',
        '"Please wait"',
        '`<div class="cc"><button aria-label="Close the chat"></button></div>`',
    ]
    assert shown_literals(PLANTED) == ['"Please wait"', '"Bot:"']
