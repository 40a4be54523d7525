"""The safety net's word signal: high-risk words, read with their tense and
negation.

Plain Python; the words are data, in content/danger_words.yml (what each
part means is explained there). Each sentence is read on its own: a term
("taken ... tablets", "kill me", "hitting my son") is a signal for its
route, strong when the sentence says it is happening now, weak otherwise,
and nothing when a negation comes just before it, when the sentence is
about the past and not about now, or when it is part of a saying. A sentence
that quotes a report or asks about a topic gives at most a weak signal.

A word of now in the sentence before or just after counts ("Don't ring me
back. He's in the room."); a negation reaches only its own clause; a short
message cut by full stops is read whole ("insulin. all of it. bye"); words in
quote marks count ("he's 'coming for me'"); and crisis words said of someone
else with a child named or aged nearby are a child in danger ("she keeps
saying she won't be around. She's 14").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Pattern, Sequence, Tuple

from companion.nlu.sentence_spans import clause_spans, sentence_spans
from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

WORDS_PATH = CONTENT_DIR / "danger_words.yml"
ROUTES = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
CHILD_BEFORE = 6  # words before a `who: first` term in which a child may be named
# A message of at most this many words is read as one sentence: text-speak
# cut by full stops ("insulin. all of it. bye", "cant speak. he is here").
SHORT_MESSAGE = 12
# A clause break: a negation before it does not reach a term after it
# ("not sleeping, not eating, keep thinking about the bridge").
_THIRD = re.compile(r"(?<![\w'])(?:she|he|she's|he's|shes|hes|they|they're|theyre|her|his)(?![\w'])")
_PERSON = re.compile(
    r"(?<![\w'])(?:she|he|she's|he's|shes|hes|they|they're|theyre|her|his|i|i'm|im|i've|ive|i'll|ill|i'd|id|myself|me|my)(?![\w'])"
)
_OPENING_NOW = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?now\b")
_NEGATION_STOP = re.compile(r"[,;:!?]|\s[-\u2013\u2014]+\s|\s(?:and|but|so|then|cos|because)\s")
_GROUP = re.compile(r"\{(\w+)\}")
# Whole words: not inside a word, nor after or before a word's own apostrophe
# ("don't", "he's"); a quote mark around words does not hide them ("he's
# 'bringing petrol'", "'code red'").
_BEFORE = r"(?<!\w)(?<!\w')"
_AFTER = r"(?!\w)(?!'\w)"


class DangerWordsError(ValueError):
    """content/danger_words.yml is missing or malformed."""


@dataclass(frozen=True)
class WordSignal:
    route: str
    strong: bool
    act: bool  # an act under way (crisis only)
    span: Tuple[int, int]  # the words' characters in the message
    # A crisis said of another adult named before the words ("my friend
    # messaged 'tell the kids i'm sorry'"), no child named before them.
    adult: bool = False


@dataclass(frozen=True)
class _Term:
    route: str
    pattern: Pattern[str]
    strong: bool
    weak: bool
    act: bool
    first_person: bool
    about_me: bool
    child_nearby: bool
    child_turns: bool = False  # a child named in the sentence makes it a child in danger
    # Still strong inside a question about a topic ("will they take the kids
    # if I say I've been suicidal"), and never a child's: the words say the
    # crisis is the parent's own.
    in_topic: bool = False
    # Said of "he" or "she" with no child named or aged nearby but another
    # adult named ("my sister says she's going to kill herself"): that
    # adult's crisis, not a child's danger.
    adult_turns: bool = False
    # A child's danger said of an adult named as the one hurt ("my mum's
    # partner has got her pinned"), with no child named up to the words:
    # that adult's danger (the parent in danger route).
    adult_harmed: bool = False


def tidy(text: str) -> str:
    """Lower case with straight apostrophes: the same length, so spans agree."""
    return (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")


def _compile(value: object, groups: Mapping[str, str], where: str) -> Pattern[str]:
    if not isinstance(value, str) or not value.strip():
        raise DangerWordsError(f"{where}: needs a regular expression")

    def fill(match: re.Match[str]) -> str:
        if match.group(1) not in groups:
            raise DangerWordsError(f"{where}: unknown group {{{match.group(1)}}}")
        return groups[match.group(1)]

    expanded = _GROUP.sub(fill, value)
    try:
        return re.compile(rf"{_BEFORE}(?:{expanded}){_AFTER}" if not expanded.endswith("$") else expanded)
    except re.error as problem:
        raise DangerWordsError(f"{where}: bad regular expression ({problem})") from None


def _any_of(patterns: Sequence[Pattern[str]]) -> Pattern[str] | None:
    """One pattern that finds a match where any of ``patterns`` would (each
    is tried in turn at each place), or None when they cannot be joined
    safely (a back-reference, a named group or a condition would change
    meaning once the groups are numbered together)."""
    if not patterns or any(re.search(r"\\[1-9]|\(\?P[=<]|\(\?\(", p.pattern) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


class DangerWords:
    def __init__(self, data: Mapping[str, object], where: str = "danger_words.yml") -> None:
        groups = data.get("groups") or {}
        if not isinstance(groups, Mapping):
            raise DangerWordsError(f"{where}: groups should be named patterns")
        self._groups: Dict[str, str] = {}
        for name, value in groups.items():
            _compile(value, self._groups, f"{where}: groups.{name}")  # checked on its own
            # A group may use the groups defined before it.
            self._groups[name] = _GROUP.sub(lambda m: self._groups[m.group(1)], str(value))
        terms = data.get("terms")
        if not isinstance(terms, list) or not terms:
            raise DangerWordsError(f"{where}: needs a list of terms")
        self._terms: List[_Term] = []
        for n, entry in enumerate(terms):
            place = f"{where}: terms[{n}]"
            if not isinstance(entry, Mapping) or entry.get("route") not in ROUTES:
                raise DangerWordsError(f"{place}: route should be one of {', '.join(ROUTES)}")
            if entry.get("act") and entry["route"] != "parent_in_crisis" and not entry.get("adult_turns"):
                raise DangerWordsError(
                    f"{place}: only a parent_in_crisis term (or one an adult turns into one) can be an act under way"
                )
            self._terms.append(
                _Term(
                    entry["route"],
                    _compile(entry.get("term"), self._groups, place),
                    bool(entry.get("strong")),
                    bool(entry.get("weak")),
                    bool(entry.get("act")),
                    entry.get("who") == "first",
                    entry.get("who") == "me",
                    bool(entry.get("child_nearby")),
                    bool(entry.get("child_named")),
                    bool(entry.get("in_topic")),
                    bool(entry.get("adult_turns")),
                    bool(entry.get("adult_harmed")),
                )
            )
        self._any_term = _any_of([term.pattern for term in self._terms])
        now = data.get("now")
        if not isinstance(now, list) or not now:
            raise DangerWordsError(f"{where}: now needs a list of patterns")
        self._now = [_compile(p, self._groups, f"{where}: now[{n}]") for n, p in enumerate(now)]
        self._past = _compile(data.get("past"), self._groups, f"{where}: past")
        self._safe_now = (
            _compile(data["safe_now"], self._groups, f"{where}: safe_now") if data.get("safe_now") else None
        )
        self._topic = _compile(data.get("topic"), self._groups, f"{where}: topic")
        self._idioms = _compile(data.get("idioms"), self._groups, f"{where}: idioms")
        self._not_act = _compile(data["not_act"], self._groups, f"{where}: not_act") if data.get("not_act") else None
        self._goes_back = (
            _compile(data["goes_back"], self._groups, f"{where}: goes_back") if data.get("goes_back") else None
        )
        negation = data.get("negation")
        if not isinstance(negation, str) or not negation.endswith("$"):
            raise DangerWordsError(f"{where}: negation should be a pattern ending in $")
        self._negation = _compile(negation, self._groups, f"{where}: negation")
        self._child = self._group("child")
        self._parent_figure = self._group("parent_figure")
        self._young = self._group("young")
        self._young_ages = self._group("young_ages")
        self._child_age = self._group("child_age")
        self._co_parent = self._group("co_parent")
        self._with_me = self._group("with_me")
        self._adult_harmed = self._group("adult_harmed")
        self._on_plan = self._group("on_plan")
        self._other_adult = self._group("other_adult")

    def _group(self, name: str) -> Pattern[str]:
        return re.compile(rf"{_BEFORE}{self._groups.get(name, '(?!)')}{_AFTER}")

    def _child_just_before(self, before: str) -> bool:
        words = before.split()[-CHILD_BEFORE:]
        return bool(self._child.search(" ".join(words)))

    def signals(self, text: str) -> List[WordSignal]:
        tidied = tidy(text)
        found: List[WordSignal] = []
        # A child hurt before, who goes back to that adult soon ("he goes back
        # to his dad's on Wednesday"): the harm is still going on.
        goes_back = bool(self._goes_back and self._goes_back.search(tidied))
        now_before = child_before = past_before = child_named = False
        spans = self._sentences(tidied)
        # Most messages have no term at all (7 sentences in 320 messages of
        # the speed stream): nothing to find, so nothing else to work out.
        if self._any_term is not None and not any(self._any_term.search(tidied[a:b]) for a, b in spans):
            return found
        # A sentence that says it is now also speaks for the one just before
        # it ("Please don't ring me back. He's in the room."), unless it asks
        # about a topic or its "now" only opens it ("Now we are divorced").
        says_now = [self._says_now(tidied[a:b]) for a, b in spans]
        lends_now = [
            self._says_now(_OPENING_NOW.sub("", tidied[a:b])) and not self._topic.search(tidied[a:b]) for a, b in spans
        ]
        # A child named, or a child's age said in passing ("she's only 3", "she's 14").
        child_in = [self._child_or_age(tidied[a:b]) for a, b in spans]
        ages = [bool(self._young_ages.search(tidied[a:b]) or self._child_age.search(tidied[a:b])) for a, b in spans]
        child_words = [bool(self._child.search(tidied[a:b])) for a, b in spans]
        adult_in = [bool(self._other_adult.search(tidied[a:b])) for a, b in spans]
        for n, (start, end) in enumerate(spans):
            sentence = tidied[start:end]
            child_here = child_in[n]
            child_prev = n > 0 and child_words[n - 1]
            age_near = any(ages[max(0, n - 1) : n + 2])
            # Named in this sentence, the one before or the one after.
            child_near = child_here or child_before or (n + 1 < len(spans) and child_in[n + 1])
            child_before = child_here
            # A child named here or in the sentence before, not as "the kids' dad".
            # Nor as children with the person typing ("I'm on the landing with my kids").
            child_named_before, child_named = child_named, bool(self._child.search(self._not_in_danger(sentence)))
            now_here = says_now[n]
            now_after = n + 1 < len(spans) and lends_now[n + 1]
            # "Tonight he came in drunk. He is hitting her." : the sentence before counts.
            now, now_before = now_here or now_before or now_after, now_here
            past = bool(self._past.search(sentence))
            if past and not now_here:
                past_before = True
                continue
            # A sentence with no word of now, just after one about the past, goes
            # on with the same story: its terms give at most a weak signal.
            told_before, past_before = past_before and not now_here, False
            # A question or a report's words make a topic of their own clause
            # and those after it ("the report says he hit me and ..."), and of
            # those before unless they say it is now ("I've just taken all my
            # tablets, what does the plan mean"; not "she had a fall, why is
            # it in the report").
            topic_from = next(
                (a for a, b in clause_spans(sentence) if self._topic.search(sentence[a:b])),
                0 if self._topic.search(sentence) else len(sentence),  # words across two clauses
            )
            # A clause about the past that says nothing of now, in a sentence
            # that does ("she took an overdose last year and she's fine now"):
            # its terms give at most a weak signal.
            past_clauses = [
                (x, y)
                for x, y in clause_spans(sentence)
                if self._past.search(sentence[x:y]) and not self._says_now(sentence[x:y])
            ]
            idioms = [m.span() for m in self._idioms.finditer(sentence)]
            for term in self._terms:
                for match in term.pattern.finditer(sentence):
                    a, b = match.span()
                    if any(a < y and x < b for x, y in idioms):
                        continue
                    before = sentence[:a]
                    if self._negation.search(self._clause_before(before)):
                        continue
                    if term.child_nearby and not child_near:
                        continue
                    topic = not term.in_topic and (
                        a >= topic_from or (topic_from < len(sentence) and not self._clause_says_now(sentence, a))
                    )
                    told = told_before or any(x < b and a < y for x, y in past_clauses)
                    route = term.route
                    if term.child_turns and (child_named or child_named_before):
                        route = "child_in_danger"
                    if term.first_person and self._child_just_before(before):
                        route = "child_in_danger"
                    # Crisis words said of someone else, with a child named
                    # nearby ("she keeps saying she won't be around. She's 14"):
                    # a child in danger.
                    if (
                        route == "parent_in_crisis"
                        and not term.in_topic
                        and (self._child.search(before) or child_prev or age_near)
                        and self._third_person(self._clause_before(before))
                    ):
                        route = "child_in_danger"
                    if (
                        term.adult_turns
                        and route == "child_in_danger"
                        and not self._child.search(self._co_parent.sub(" ", sentence[:b]))
                        and not age_near
                        and not child_prev
                        and (self._other_adult.search(before) or (n > 0 and adult_in[n - 1]))
                    ):
                        route = "parent_in_crisis"
                    if (
                        term.adult_harmed
                        and route == "child_in_danger"
                        and self._an_adult_harmed(sentence[:b], age_near)
                    ):
                        route = "parent_in_danger"
                    window = " ".join(before.split()[-CHILD_BEFORE:])
                    if term.about_me and (
                        (self._parent_figure.search(window) and not self._co_parent.search(window))
                        or self._young.search(sentence)
                    ):
                        route = "child_in_danger"
                    if topic and not term.strong:
                        continue
                    strong = (term.strong or now) and not topic and not term.weak and not told
                    if goes_back and route == "child_in_danger" and not topic and not term.weak:
                        strong = True
                    # "I've been looking at the bridge": the words of an act, but a plan or a thought.
                    # Weak only for want of a word of now ("Sitting in the car right on the
                    # edge."), the words still say an act is under way should another
                    # signal take the crisis route; not in a topic or a story told before.
                    act = (
                        term.act
                        and (strong or (not topic and not told and not term.weak))
                        and route == "parent_in_crisis"
                        # with the few words before it in its clause ("got the rope ready")
                        and not self.not_act(self._clause_before(before)[-25:] + sentence[a:b])
                    )
                    adult = (
                        route == "parent_in_crisis"
                        and bool(self._other_adult.search(before))
                        and not self._child.search(self._not_in_danger(before))
                    )
                    found.append(WordSignal(route, strong, act, (start + a, start + b), adult))
        return found

    def _not_in_danger(self, sentence: str) -> str:
        """The sentence without children named as the other parent's ("the
        kids' dad"), as with the person typing ("me and the kids") or as the
        subject of the plan ("they put the kids on a plan")."""
        return self._on_plan.sub(" ", self._with_me.sub(" ", self._co_parent.sub(" ", sentence)))

    def _an_adult_harmed(self, upto: str, age_near: bool) -> bool:
        """An adult is named as the one hurt in ``upto`` (the sentence up to
        a term's end) and no child is, nor a child's age said nearby."""
        return (
            not age_near
            and bool(self._adult_harmed.search(upto))
            and not self._child.search(self._adult_harmed.sub(" ", self._not_in_danger(upto)))
        )

    def children_with_me(self, text: str) -> bool:
        """The message says the children are with the person typing ("I'm in
        the car outside with the kids", "me and the kids are hiding")."""
        return bool(self._with_me.search(tidy(text)))

    def _child_or_age(self, sentence: str) -> bool:
        return bool(
            self._child.search(sentence) or self._young_ages.search(sentence) or self._child_age.search(sentence)
        )

    @staticmethod
    def _third_person(clause: str) -> bool:
        """The words before a term in its clause name someone else as who
        does it ("she says she", "my son's been") and not the person typing."""
        people = _PERSON.findall(clause)
        return bool(people) and bool(_THIRD.fullmatch(people[-1]))

    def _sentences(self, tidied: str) -> List[Tuple[int, int]]:
        """The message's sentences; a short message (text-speak cut by full
        stops) as one sentence, unless it speaks of the past."""
        spans = sentence_spans(tidied)
        if len(spans) > 1 and len(tidied.split()) <= SHORT_MESSAGE and not self._past.search(tidied):
            return [(spans[0][0], spans[-1][1])]
        return spans

    @staticmethod
    def _clause_before(before: str) -> str:
        """The words before a term in its own clause (a negation further back
        belongs to another clause)."""
        stops = list(_NEGATION_STOP.finditer(before))
        return before[stops[-1].end() :] if stops else before

    def _clause_says_now(self, sentence: str, at: int) -> bool:
        """Whether the clause of ``sentence`` with character ``at`` in it says it is now."""
        return any(x <= at < y and self._says_now(sentence[x:y]) for x, y in clause_spans(sentence))

    def _says_now(self, sentence: str) -> bool:
        """A `now` word, other than in words that say the danger is over."""
        if self._safe_now:
            sentence = self._safe_now.sub(lambda m: " " * len(m.group()), sentence)
        return any(p.search(sentence) for p in self._now)

    def frame(self, piece: str) -> str | None:
        """ "past" when a piece of a message (a sentence or two) is about the
        past and says nothing of now, "topic" when it quotes a report or asks
        about a topic, else None."""
        tidied = tidy(piece)
        if self._past.search(tidied) and not self._says_now(tidied):
            return "past"
        return "topic" if self._topic.search(tidied) else None

    def past_clause(self, clause: str) -> bool:
        """A clause about the past that says nothing of now ("two years ago I took an overdose")."""
        tidied = tidy(clause)
        return bool(self._past.search(tidied)) and not self._says_now(tidied)

    def saying(self, piece: str) -> bool:
        """The piece holds one of the sayings (`idioms`): "I'd kill for a day off"."""
        return bool(self._idioms.search(tidy(piece)))

    def not_act(self, piece: str) -> bool:
        """The piece speaks of a plan, a thought or the past, not an act under way."""
        return bool(self._not_act and self._not_act.search(tidy(piece)))

    def clauses_framed(self, piece: str) -> List[Tuple[str, bool]]:
        """Each clause of a piece, and whether it alone is framed (about the
        past, or a topic): "I've taken all my pills, what does the plan mean"
        has one clause of danger and one of a topic."""
        tidied = tidy(piece)
        whole_past = bool(self._past.search(tidied)) and not self._says_now(tidied)
        whole_topic = bool(self._topic.search(tidied))
        found, topic = [], False
        for a, b in clause_spans(tidied):
            topic = topic or bool(self._topic.search(tidied[a:b]))
            framed = whole_past or topic or (whole_topic and not self._says_now(tidied[a:b]))
            found.append((piece[a:b], framed))
        return found


def load_danger_words(path: Path = WORDS_PATH) -> DangerWords:
    return DangerWords(read_mapping(path, DangerWordsError), where=Path(path).name)


@lru_cache(maxsize=1)
def danger_words() -> DangerWords:
    return load_danger_words()


def strongest(signals: List[WordSignal]) -> WordSignal | None:
    """The first strong signal, else the first weak one."""
    return next((s for s in signals if s.strong), signals[0] if signals else None)
