"""Finds a child in danger, a parent in crisis or a parent in danger, in one message.

Plain Python over spaCy's tokenizer (a blank English pipeline: nothing to
download). The words and rules are data, in content/safety_rules.yml; this
module only tidies the text, finds where each class of words occurs, and
checks each rule. It does not depend on the classifier, so a message is
routed to 999 or crisis help however unsure the classifier is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Pattern, Sequence, Tuple

import spacy
import yaml

from companion.paths import CONTENT_DIR

RULES_PATH = CONTENT_DIR / "safety_rules.yml"
GAP = "..."  # in a phrase: up to MAX_GAP tokens of anything
END = "$"  # in a phrase: the end of the message
MAX_GAP = 3
# A compiled phrase: GAP, END, or (word pattern, whether it may match nothing).
Part = str | Tuple[Pattern[str], bool]
Phrase = Tuple[Part, ...]
INTENTS = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")


class SafetyRulesError(ValueError):
    """content/safety_rules.yml is missing or malformed."""


@dataclass(frozen=True)
class Finding:
    intent: str
    rule: str


@dataclass(frozen=True)
class Rule:
    name: str
    intent: str
    needs: Tuple[str, ...]
    within: int
    unless: Tuple[str, ...]


def _compile_phrase(phrase: str, where: str) -> Phrase:
    parts: List[Part] = []
    for word in phrase.split():
        if word in (GAP, END):
            parts.append(word)
            continue
        try:
            pattern = re.compile(word)
        except re.error:
            hint = " (a pattern matches one word: no spaces inside brackets)" if "(" in word else ""
            raise SafetyRulesError(f"{where}: bad pattern {word!r} in {phrase!r}{hint}") from None
        parts.append((pattern, bool(pattern.fullmatch(""))))
    if not parts or all(p in (GAP, END) or p[1] for p in parts):
        raise SafetyRulesError(f"{where}: phrase {phrase!r} can match nothing")
    return tuple(parts)


def _ends(parts: Phrase, tokens: Sequence[str], start: int, i: int = 0) -> List[int]:
    """Every token index where ``parts`` can finish, starting at ``start``."""
    if i == len(parts):
        return [start]
    part = parts[i]
    found: List[int] = []
    if part == GAP:
        for skip in range(MAX_GAP + 1):
            if start + skip <= len(tokens):
                found += _ends(parts, tokens, start + skip, i + 1)
        return found
    if isinstance(part, str):  # END (GAP is handled above; a phrase holds no other words)
        return _ends(parts, tokens, start, i + 1) if start == len(tokens) else []
    pattern, optional = part
    if optional:
        found += _ends(parts, tokens, start, i + 1)
    if start < len(tokens) and pattern.fullmatch(tokens[start]):
        found += _ends(parts, tokens, start + 1, i + 1)
    return found


class SafetyCheck:
    def __init__(self, rules: Dict[str, Any], where: str = "safety_rules.yml"):
        if not isinstance(rules, dict):
            raise SafetyRulesError(f"{where}: should contain text_speak, classes and rules")
        self._nlp = spacy.blank("en")
        speak = rules.get("text_speak") or {}
        self._speak = [(re.compile(rf"\b{re.escape(k)}\b"), v) for k, v in speak.items()]
        self._classes: Dict[str, Tuple[Phrase, ...]] = {}
        for name, phrases in (rules.get("classes") or {}).items():
            if not isinstance(phrases, list) or not phrases:
                raise SafetyRulesError(f"{where}: classes.{name}: needs a list of phrases")
            self._classes[name] = tuple(_compile_phrase(p, f"{where}: classes.{name}") for p in phrases)
        self._patterns = tuple(
            dict.fromkeys(
                part[0] for phrases in self._classes.values() for p in phrases for part in p if isinstance(part, tuple)
            )
        )
        # Each phrase with the word patterns it cannot do without, and its
        # first one if the phrase must start there: worked out once, not for
        # every phrase of every message.
        self._phrases: Dict[str, Tuple[Tuple[Phrase, FrozenSet[Pattern[str]], Pattern[str] | None], ...]] = {
            name: tuple(
                (
                    phrase,
                    frozenset(part[0] for part in phrase if isinstance(part, tuple) and not part[1]),
                    phrase[0][0] if isinstance(phrase[0], tuple) and not phrase[0][1] else None,
                )
                for phrase in phrases
            )
            for name, phrases in self._classes.items()
        }
        self._matching: Dict[str, Tuple[Pattern[str], ...]] = {}
        self.rules: List[Rule] = []
        for n, rule in enumerate(rules.get("rules") or []):
            place = f"{where}: rules[{n}]"
            needs = tuple(rule.get("all") or ())
            unless = tuple(rule.get("unless") or ())
            unknown = [c for c in needs + unless if c not in self._classes]
            if not needs or unknown or rule.get("intent") not in INTENTS:
                raise SafetyRulesError(
                    f"{place}: needs an intent, 'all' classes, known class names"
                    + (f" (unknown: {unknown})" if unknown else "")
                )
            self.rules.append(Rule(rule.get("name", place), rule["intent"], needs, int(rule.get("within", 0)), unless))
        if not self.rules:
            raise SafetyRulesError(f"{where}: has no rules")

    def tokens(self, text: str) -> List[str]:
        tidy = _APOSTROPHES.sub("", (text or "").lower())
        for pattern, replacement in self._speak:
            tidy = pattern.sub(replacement, tidy)
        return [t.text for t in self._nlp.make_doc(tidy) if not t.is_space and not t.is_punct]

    def _patterns_matching(self, token: str) -> Tuple[Pattern[str], ...]:
        """The word patterns of the phrases that match this token (remembered:
        most words of a message have been seen in earlier messages)."""
        matching = self._matching.get(token)
        if matching is None:
            matching = tuple(pattern for pattern in self._patterns if pattern.fullmatch(token))
            if len(self._matching) >= 20000:
                self._matching.clear()
            self._matching[token] = matching
        return matching

    def spans(self, tokens: Sequence[str]) -> Dict[str, List[Tuple[int, int]]]:
        """For each class, the (start, end) token spans where it occurs.

        The same spans as trying every phrase at every token, found faster
        (the rules were about a fifth of the NLU's time on long messages,
        docs/performance.md): a phrase with a word (not optional) that
        matches no token of the message cannot occur, and a phrase whose
        first word is not optional can start only where that word matches."""
        at: Dict[Pattern[str], List[int]] = {}
        for i, token in enumerate(tokens):
            for pattern in self._patterns_matching(token):
                at.setdefault(pattern, []).append(i)
        found: Dict[str, List[Tuple[int, int]]] = {}
        anywhere = range(len(tokens))
        for name, phrases in self._phrases.items():
            spans: set[Tuple[int, int]] = set()
            for phrase, needed, first in phrases:
                if not at.keys() >= needed:
                    continue
                starts = anywhere if first is None else at[first]
                spans.update((start, end) for start in starts for end in _ends(phrase, tokens, start) if end > start)
            if spans:
                found[name] = sorted(spans)
        return found

    @staticmethod
    def _close_enough(choices: List[List[Tuple[int, int]]], within: int) -> bool:
        """Is there one span per class with all of them within ``within`` tokens?"""

        def search(i: int, lo: int, hi: int) -> bool:
            if i == len(choices):
                return True
            for start, end in choices[i]:
                new_lo, new_hi = min(lo, end), max(hi, start)
                if new_hi - new_lo <= within and search(i + 1, new_lo, new_hi):
                    return True
            return False

        return search(0, 10**9, -1)

    def check(self, text: str) -> Finding | None:
        found = self.spans(self.tokens(text))
        for rule in self.rules:
            if any(c in found for c in rule.unless):
                continue
            if all(c in found for c in rule.needs) and self._close_enough([found[c] for c in rule.needs], rule.within):
                return Finding(rule.intent, rule.name)
        return None


def load_safety_check(path: Path = RULES_PATH) -> SafetyCheck:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SafetyRulesError(f"{path}: file not found") from None
    except yaml.YAMLError:
        raise SafetyRulesError(f"{path}: is not valid YAML") from None
    return SafetyCheck(data, where=Path(path).name)


@lru_cache(maxsize=1)
def safety_check() -> SafetyCheck:
    return load_safety_check()
