"""The safety net: several independent signals decide whether a message is
a child in danger, a parent in crisis or a parent in danger from another
adult, and which first line its answer needs.

Plain Python. The signals, each blind to the others:

- rules: content/safety_rules.yml (companion/nlu/safety.py), strong;
- words: high-risk words with tense and negation (companion/nlu/danger_words.py);
- sentences: each sentence against the example bank (companion/nlu/danger_bank.py);
- classifier: the intent classifier's confidence in a safety intent;
- reader: a linear classifier over each sentence's vector, fitted at
  training time on the bank and the training data (companion/nlu/danger_reader.py):
  how likely the sentence is to be each route, whatever its words.

A classifier's strong signal needs company: another signal for its route,
or a piece the reader finds likely (`reader.company`) though below its own
signal. Any strong signal takes the route (several routes: a child the words find
in danger first, then an act under way the words find in the person typing,
then the parent in danger when the children are said to be with the person
typing and the words find no child, then a crisis the words find when only
the sentence model finds a child, then a child with a strong signal and
another of any strength, else the
route most strong signals agree on; on a tie, the route whose examples a
sentence came closest to, then a parent in danger before crisis). Weak signals only ask for the note,
one line before the normal answer. A crisis route whose words or sentences
say an act is under way (pills taken, cutting and bleeding) carries the span
of those words, so the answer puts an ambulance first. Thresholds and the
note's words are in content/safety_net.yml.

The sentence model reads a message once for the sentences and the reader:
every piece either needs (`pieces_read`) in one pass, from an `encode_many`
the caller may give (the NLU step's: it looks first at the vectors the
steps before it left on the message, companion/nlu/message_vectors.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Sequence, Tuple

import numpy as np

from companion.nlu.danger_bank import MOST_SENTENCES, DangerBank, Nearest
from companion.nlu.danger_reader import DangerReader, Reading
from companion.nlu.danger_reader import pieces as reader_pieces
from companion.nlu.danger_words import DangerWords
from companion.nlu.safety import SafetyCheck
from companion.nlu.sentence_spans import clause_spans, distinct_spans, piece_text, sentence_spans
from companion.nlu.sentence_vectors import EncodeMany, TextEncoder, read_into
from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

NET_PATH = CONTENT_DIR / "safety_net.yml"
ROUTES = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
PRIORITY = ("child_in_danger", "parent_in_danger", "parent_in_crisis")  # breaks a tie: 999 first
SOURCES = ("rules", "words", "sentences", "classifier", "reader")


class SafetyNetError(ValueError):
    """content/safety_net.yml is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    sentence_strong: float
    sentence_margin: float
    sentence_weak: float
    sentence_weak_margin: float
    sentence_act: float
    classifier_strong: float
    classifier_weak: float
    note: str
    # The classifier's strong signal counts only beside another signal (any
    # strength) for the same route.
    classifier_needs_company: bool = True
    # Routes with their own (strong, margin) for sentences.
    sentence_routes: Tuple[Tuple[str, float, float], ...] = ()
    # A strong sentence signal with no other signal (of any source or
    # strength) for its route stays strong only this close; below, it is weak.
    sentence_alone: float = 0.0
    # A rule or sentence signal in a sentence about the past (and not now) or
    # that quotes a report or asks about a topic is only weak.
    frames: bool = False
    # The reader (off when `reader_strong` is above 1): a piece this likely
    # to be a route is a strong signal, this likely a weak one; a strong
    # piece about the past or a topic is weak when `reader_frames`.
    reader_strong: float = 2.0
    reader_weak: float = 2.0
    reader_frames: bool = True
    # A piece (not about the past or a topic) this likely to be a route keeps
    # the classifier's strong signal for that route strong: the company it
    # needs (the reader's own signal starts at `reader_weak`). Above 1: off.
    reader_company: float = 2.0

    def strong_for(self, route: str) -> Tuple[float, float]:
        own = {name: (strong, margin) for name, strong, margin in self.sentence_routes}
        return own.get(route, (self.sentence_strong, self.sentence_margin))


def _number(data: Mapping, section: str, key: str, where: str) -> float:
    value = (data.get(section) or {}).get(key) if isinstance(data.get(section), Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1 <= value <= 1:
        raise SafetyNetError(f"{where}: {section}.{key} should be a number from -1 to 1")
    return float(value)


def read_settings(path: Path = NET_PATH) -> Settings:
    data = read_mapping(path, SafetyNetError)
    where = str(path)
    note = data.get("note")
    if not isinstance(note, str) or "999" not in note:
        raise SafetyNetError(f"{where}: note should be the one line with 999 in it")
    return Settings(
        sentence_strong=_number(data, "sentences", "strong", where),
        sentence_margin=_number(data, "sentences", "margin", where),
        sentence_weak=_number(data, "sentences", "weak", where),
        sentence_weak_margin=_number(data, "sentences", "weak_margin", where),
        sentence_act=_number(data, "sentences", "act", where),
        classifier_strong=_number(data, "classifier", "strong", where),
        classifier_weak=_number(data, "classifier", "weak", where),
        note=note.strip(),
        classifier_needs_company=bool((data.get("classifier") or {}).get("needs_company", True)),
        sentence_alone=(
            _number(data, "sentences", "alone", where) if "alone" in (data.get("sentences") or {}) else 0.0
        ),
        frames=bool(data.get("frames", False)),
        **_reader_settings(data, where),
        sentence_routes=tuple(
            (
                route,
                _number(data["sentences"], route, "strong", where),
                _number(data["sentences"], route, "margin", where),
            )
            for route in ROUTES
            if isinstance((data.get("sentences") or {}).get(route), Mapping)
        ),
    )


def _reader_settings(data: Mapping, where: str) -> Dict[str, Any]:
    """The `reader` section, if there is one (without it the reader is off)."""
    if "reader" not in data:
        return {}
    strong, weak = _number(data, "reader", "strong", where), _number(data, "reader", "weak", where)
    if weak > strong:
        raise SafetyNetError(f"{where}: reader.weak should not be above reader.strong")
    found: Dict[str, Any] = {
        "reader_strong": strong,
        "reader_weak": weak,
        "reader_frames": bool(data["reader"].get("frames", True)),
    }
    if "company" in data["reader"]:
        found["reader_company"] = _number(data, "reader", "company", where)
    return found


@dataclass(frozen=True)
class Signal:
    source: str  # one of SOURCES
    route: str  # one of ROUTES
    strong: bool
    act: Tuple[int, int] | None = None  # the words of an act under way
    score: float = 1.0  # sentences: the similarity to the route's examples
    adult: bool = False  # words: a crisis said of another adult named before them


@dataclass(frozen=True)
class Decision:
    route: str | None  # None: the normal answer
    note: bool = False  # no route, but put the note first
    act: Tuple[int, int] | None = None  # crisis with an act under way: its words
    signals: Tuple[Signal, ...] = field(default_factory=tuple)

    def summary(self) -> Dict[str, object]:
        """What was found, without the message's words (for the logs and the tracker)."""
        return {
            "route": self.route,
            "note": self.note,
            "act_under_way": self.act is not None,
            "signals": sorted({f"{s.source}:{s.route}:{'strong' if s.strong else 'weak'}" for s in self.signals}),
        }


class SafetyNet:
    def __init__(
        self,
        settings: Settings,
        rules: SafetyCheck | None = None,
        words: DangerWords | None = None,
        bank: DangerBank | None = None,
        reader: DangerReader | None = None,
        encoder: TextEncoder | None = None,
    ) -> None:
        self.settings, self.rules, self.words, self.bank = settings, rules, words, bank
        # The reader reads the sentence model's vectors: the bank's encoder
        # unless another is given.
        self.reader = reader
        self.encoder = encoder or (bank.encoder if bank else None)

    def pieces_read(self, text: str) -> List[str]:
        """The pieces of ``text`` the sentence model reads for this net (the
        bank's sentences, the reader's sentences and clauses), each once."""
        return pieces_read(
            text,
            self.bank.most_sentences if self.bank else 0,
            bool(self.reader and self.encoder),
        )

    def _reads(self, text: str, encode_many: EncodeMany | None) -> EncodeMany | None:
        """Every piece the bank and the reader need, read in one pass; then
        each asks this for its own (a piece not read then is read when asked)."""
        encode_many = encode_many or (self.encoder.encode_many if self.encoder else None)
        wanted = self.pieces_read(text)
        if encode_many is None or not wanted:
            return encode_many
        read: EncodeMany = encode_many
        vectors: Dict[str, np.ndarray] = {}
        read_into(vectors, read, wanted)
        return lambda texts: read_into(vectors, read, texts)

    # ------------------------------------------------------------ the signals
    def _framed(self, piece: str) -> bool:
        """The piece is about the past (not now), or quotes a report or asks about a topic."""
        return bool(self.settings.frames and self.words and self.words.frame(piece))

    def _from_rules(self, text: str) -> List[Signal]:
        """Each sentence on its own (a veto in one sentence does not hide danger
        in another), and a message of one or two sentences as a whole. A rule
        found only in sentences about the past or a topic is weak."""
        if not self.rules:
            return []
        spans = sentence_spans(text)
        pieces = [text[a:b] for a, b in spans] + ([text] if len(spans) == 2 else [])
        found: Dict[str, bool] = {}
        for piece in pieces:
            finding = self.rules.check(piece)
            if finding:
                strong = not self._framed(piece) and not self._only_in_past_clauses(piece, finding.intent)
                found[finding.intent] = found.get(finding.intent, False) or strong
                if not found[finding.intent] and self.settings.frames and self.words:
                    # A sentence framed as a topic by a later clause ("I've taken
                    # all my pills, what does the plan mean"): the rule still
                    # strong in a clause of its own before the topic.
                    found[finding.intent] = self._in_an_unframed_clause(piece, finding.intent)
        return [Signal("rules", route, strong) for route, strong in found.items()]

    def _only_in_past_clauses(self, piece: str, intent: str) -> bool:
        """The rule no longer holds once the piece's clauses about the past are
        left out ("I'm fine now but two years ago I took an overdose")."""
        if not self.rules or not self.words or not self.settings.frames:
            return False
        clauses = [piece[a:b] for a, b in clause_spans(piece)]
        rest = [clause for clause in clauses if not self.words.past_clause(clause)]
        if len(rest) == len(clauses):
            return False
        finding = self.rules.check(" ".join(rest)) if rest else None
        return finding is None or finding.intent != intent

    def _in_an_unframed_clause(self, piece: str, intent: str) -> bool:
        if not self.rules or not self.words:
            return False
        for clause, framed in self.words.clauses_framed(piece):
            finding = None if framed else self.rules.check(clause)
            if finding and finding.intent == intent:
                return True
        return False

    def frames(self, text: str, nearest: Mapping[str, Nearest]) -> Dict[str, bool]:
        """For each route's best sentence: is it about the past or a topic
        (each sentence read once, though several routes may share it)."""
        by_span = {span: self._framed(text[slice(*span)]) for span in {best.span for best in nearest.values()}}
        return {route: by_span[best.span] for route, best in nearest.items()}

    def _from_words(self, text: str) -> List[Signal]:
        return [
            Signal("words", s.route, s.strong, s.span if s.act else None, adult=s.adult)
            for s in (self.words.signals(text) if self.words else [])
        ]

    def _from_sentences(self, text: str, encode_many: EncodeMany | None = None) -> List[Signal]:
        nearest = self.bank.nearest(text, encode_many) if self.bank else {}
        return self.without_planned_acts(text, sentence_signals(nearest, self.settings, self.frames(text, nearest)))

    def without_planned_acts(self, text: str, signals: List[Signal]) -> List[Signal]:
        """A sentence close to the act-under-way examples that speaks of a plan,
        a thought or the past ("looking up how many it takes") is not an act."""
        if not self.words:
            return signals
        planned = self.words.not_act
        return [
            Signal(s.source, s.route, s.strong, None, s.score) if s.act and planned(text[slice(*s.act)]) else s
            for s in signals
        ]

    def _readings(self, text: str, encode_many: EncodeMany | None = None) -> Mapping[str, Reading]:
        """The reader's reading of ``text``, a route each (none without a reader)."""
        if not self.reader or not self.encoder:
            return {}
        return self.reader.read(text, encode_many or self.encoder.encode_many)

    def _from_reader(self, text: str, readings: Mapping[str, Reading]) -> List[Signal]:
        return reader_signals(readings, self.settings, text, self._framed) if readings else []

    def _company(self, text: str, readings: Mapping[str, Reading]) -> FrozenSet[str]:
        """Routes the reader found likely, below its own signal, in a piece not
        framed as the past or a topic and not a saying (`reader_company`)."""
        return frozenset(
            route
            for route, reading in readings.items()
            if self.settings.reader_company <= reading.probability < self.settings.reader_weak
            and not self._framed(text[slice(*reading.span)])
            and not (self.words and self.words.saying(text[slice(*reading.span)]))
        )

    def _from_classifier(self, ranking: Sequence[Tuple[str, float]]) -> List[Signal]:
        s = self.settings
        top = ranking[0][0] if ranking else None
        found = []
        for intent, confidence in ranking:
            if intent in ROUTES and confidence >= s.classifier_weak:
                strong = intent == top and confidence >= s.classifier_strong
                found.append(Signal("classifier", intent, strong))
        return found

    # -------------------------------------------------------------- deciding
    def signals(
        self, text: str, ranking: Sequence[Tuple[str, float]] = (), encode_many: EncodeMany | None = None
    ) -> List[Signal]:
        """``encode_many``: reads pieces' vectors (by default the encoder's)."""
        return self._signals_and_company(text, ranking, encode_many)[0]

    def _signals_and_company(
        self, text: str, ranking: Sequence[Tuple[str, float]], encode_many: EncodeMany | None
    ) -> Tuple[List[Signal], FrozenSet[str]]:
        reads = self._reads(text, encode_many)
        found = (
            self._from_rules(text)
            + self._from_words(text)
            + self._from_sentences(text, reads)
            + self._from_classifier(ranking)
        )
        readings = self._readings(text, reads)
        return found + self._from_reader(text, readings), self._company(text, readings)

    def decide(
        self, text: str, ranking: Sequence[Tuple[str, float]] = (), encode_many: EncodeMany | None = None
    ) -> Decision:
        """``ranking``: the classifier's (intent, confidence) pairs, best first;
        ``encode_many``: reads pieces' vectors (by default the encoder's)."""
        found, company = self._signals_and_company(text, ranking, encode_many)
        with_me = bool(self.words and self.words.children_with_me(text))
        return decide(found, self.settings.classifier_needs_company, self.settings.sentence_alone, company, with_me)


def pieces_read(text: str, most_sentences: int = MOST_SENTENCES, reader: bool = True) -> List[str]:
    """The pieces of ``text`` (as the sentence model reads them) that a net
    with a bank reading ``most_sentences`` sentences and, with ``reader``,
    a reader, asks the sentence model for: each once, sentences first."""
    spans = distinct_spans(text or "", most_sentences)
    if reader:
        spans += reader_pieces(text or "")
    return list(dict.fromkeys(piece_text(text, span) for span in spans))


def sentence_signals(
    nearest: Mapping[str, Nearest], s: Settings, framed: Mapping[str, bool] | None = None
) -> List[Signal]:
    """The sentence model's signals, from each route's best sentence (only
    weak when ``framed`` says that sentence is about the past or a topic)."""
    found = []
    for route, best in nearest.items():
        least, margin = s.strong_for(route)
        strong = best.similarity >= least and best.margin >= margin and not (framed or {}).get(route, False)
        act = (
            best.span
            if strong and route == "parent_in_crisis" and best.act >= s.sentence_act and best.act >= best.safe
            else None
        )
        if strong or (best.similarity >= s.sentence_weak and best.margin >= s.sentence_weak_margin):
            found.append(Signal("sentences", route, strong, act, best.similarity))
    return found


def reader_signals(
    readings: Mapping[str, Reading], s: Settings, text: str, framed: Callable[[str], bool] | None = None
) -> List[Signal]:
    """The reader's signals, from each route's most likely piece (only weak
    when ``framed`` says that piece is about the past or a topic)."""
    found = []
    for route, reading in readings.items():
        strong = reading.probability >= s.reader_strong and not (
            s.reader_frames and framed is not None and framed(text[slice(*reading.span)])
        )
        if strong or reading.probability >= s.reader_weak:
            found.append(Signal("reader", route, strong, None, reading.probability))
    return found


def decide(
    signals: Sequence[Signal],
    classifier_needs_company: bool = True,
    sentence_alone: float = 0.0,
    company: FrozenSet[str] = frozenset(),
    with_me: bool = False,
) -> Decision:
    """``company``: routes the reader found likely, below its own signal,
    which keep the classifier's strong signal for them strong; ``with_me``:
    the message says the children are with the person typing ("me and the
    kids are hiding upstairs")."""
    if classifier_needs_company:
        others = {s.route for s in signals if s.source != "classifier"} | set(company)
        signals = [
            s if s.source != "classifier" or not s.strong or s.route in others else Signal(s.source, s.route, False)
            for s in signals
        ]
    # A strong sentence signal below the `alone` bar needs company: another
    # source's signal, of any strength, for the same route.
    beside = {s.route for s in signals if s.source != "sentences"}
    signals = [
        Signal(s.source, s.route, False, None, s.score)
        if s.source == "sentences" and s.strong and s.score < sentence_alone and s.route not in beside
        else s
        for s in signals
    ]
    strong = [s for s in signals if s.strong]
    if not strong:
        return Decision(None, note=bool(signals), signals=tuple(signals))
    # A child the words find in danger (or the rules and another signal) comes first. Otherwise
    # the route most strong signals agree on; on a tie, the one whose answer
    # puts 999 first (the parent in danger) before crisis help.
    votes = Counter(s.route for s in strong)
    child = [s.source for s in strong if s.route == "child_in_danger"]
    child_any = {s.source for s in signals if s.route == "child_in_danger"}
    # The words' own act under way (the person typing took pills, is cutting
    # and bleeding): an ambulance first, unless the words say it is a child.
    own_act = any(s.source == "words" and s.route == "parent_in_crisis" and s.act for s in strong)
    best_sentence = {s.route: s.score for s in strong if s.source == "sentences"}
    # The words also find the person typing in danger from an adult ("she came
    # at me with a knife, I've locked myself in with the baby"): a child named
    # nearby does not settle it; the signals' votes do.
    contested = any(s.source == "words" and s.route == "parent_in_danger" for s in strong)
    crisis_words = any(s.source == "words" and s.route == "parent_in_crisis" for s in strong)
    adult_crisis = any(s.source == "words" and s.route == "parent_in_crisis" and s.adult for s in strong)
    if "words" in child and not contested:
        route = "child_in_danger"
    elif own_act:
        route = "parent_in_crisis"
    elif with_me and "parent_in_danger" in votes and "words" not in child:
        # The children are with the person typing, and only the sentence
        # model, the reader or the classifier says a child: the danger is
        # the household's, from an adult (999 first on either route).
        route = "parent_in_danger"
    elif (
        crisis_words
        and (child_any == {"sentences"} or (adult_crisis and not {"words", "rules"} & child_any))
        and not contested
    ):
        # The words find a crisis said of the person typing or another adult,
        # and only the sentence model a child ("gna end it 2nite wen kids r in
        # bed"), or, when the words name another adult as the one in crisis,
        # only the sentence model, the reader or the classifier: the crisis.
        route = "parent_in_crisis"
    elif child and len(child_any) > 1 and not contested:
        route = "child_in_danger"
    else:
        # On a tie, the route whose examples the message came closest to, then
        # the one whose answer puts 999 first.
        route = min(votes, key=lambda r: (-votes[r], -best_sentence.get(r, 0.0), PRIORITY.index(r)))
    act = None
    if route == "parent_in_crisis":
        act = next((s.act for s in signals if s.route == route and s.act and s.source == "words"), None) or next(
            (s.act for s in signals if s.route == route and s.act), None
        )
    return Decision(route, act=act, signals=tuple(signals))


def load_safety_net(with_sentences: bool = True, training_data: Path | None = None) -> SafetyNet:
    """The net with the shipped rules, words, examples and settings; with the
    examples in ``training_data`` (a folder of NLU files, such as data/nlu)
    in the sentence bank, as a trained model has them."""
    from companion.nlu.danger_bank import load_danger_bank, nlu_examples
    from companion.nlu.danger_words import load_danger_words
    from companion.nlu.safety import load_safety_check

    examples = nlu_examples(training_data) if training_data else []
    return SafetyNet(
        read_settings(),
        load_safety_check(),
        load_danger_words(),
        load_danger_bank(examples=examples) if with_sentences else None,
    )
