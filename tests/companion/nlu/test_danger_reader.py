"""The safety net's reader (companion/nlu/danger_reader.py): fitted on
examples, it reads a message piece by piece, and its signal joins the others
in the net (companion/nlu/safety_net.py)."""

from dataclasses import replace

import numpy as np
import pytest

from companion.nlu.danger_reader import (
    LABELS,
    DangerReader,
    DangerReaderError,
    examples_for_fitting,
    pieces,
)
from companion.nlu.safety_net import SafetyNet, SafetyNetError, Signal, decide, read_settings, reader_signals
from companion.nlu.sentence_vectors import OneAtATime

AXES = ["pills", "taken", "hitting", "son", "knife", "me", "meeting", "report", "last", "year"]


def fake_encode(text: str) -> np.ndarray:
    """A stand-in for the sentence model: word counts on a few axes."""
    words = text.lower().replace(",", " ").replace(".", " ").split()
    vector = np.array([words.count(w) for w in AXES], dtype=np.float32) + 1e-3
    return vector / np.linalg.norm(vector)


FAKE = OneAtATime(fake_encode)
EXAMPLES = [
    ("parent_in_crisis", "taken pills"),
    ("parent_in_crisis", "i have taken the pills"),
    ("child_in_danger", "hitting son"),
    ("child_in_danger", "he is hitting my son"),
    ("parent_in_danger", "knife me"),
    ("parent_in_danger", "knife at me"),
    ("none", "meeting report"),
    ("none", "the report for the meeting"),
    ("none", "last year"),
]


def fitted() -> DangerReader:
    vectors = np.stack([fake_encode(text) for _, text in EXAMPLES])
    return DangerReader.fit(vectors, [label for label, _ in EXAMPLES], strength=10.0)


def test_the_fitted_reader_tells_the_routes_apart():
    reader = fitted()
    for label, text in EXAMPLES:
        row = reader.probabilities(fake_encode(text))[0]
        assert abs(row.sum() - 1) < 1e-5
        assert reader.labels[int(np.argmax(row))] == label


def test_each_route_takes_its_most_likely_piece_of_a_long_message():
    reader = fitted()
    text = "About the meeting report. " * 5 + "I have taken the pills. " + "The report, the meeting. " * 5
    reading = reader.read(text, FAKE.encode_many)
    crisis = reading["parent_in_crisis"]
    assert text[slice(*crisis.span)] == "I have taken the pills."
    assert crisis.probability > 0.5 > reading["parent_in_danger"].probability
    # A clause of a sentence is read on its own too.
    text = "the meeting report is long, he is hitting my son"
    assert text[slice(*reader.read(text, FAKE.encode_many)["child_in_danger"].span)] == "he is hitting my son"
    assert reader.read("", FAKE.encode_many) == {}


def test_the_pieces_are_read_in_one_call_and_scored_as_each_alone():
    reader = fitted()
    text = "The meeting report is long, he is hitting my son. I have taken the pills. Last year, the meeting."
    calls = []
    reading = reader.read(text, lambda texts: calls.append(list(texts)) or FAKE.encode_many(texts))
    assert calls == [[text[a:b].strip().lower() for a, b in pieces(text)]]
    # As a piece-by-piece read: each route's most likely piece, the first on a tie.
    for route, found in reading.items():
        alone = [reader.route_probabilities(fake_encode(text[a:b].strip().lower()))[route] for a, b in pieces(text)]
        assert found.probability == pytest.approx(max(alone), abs=1e-6)
        assert found.span == pieces(text)[alone.index(max(alone))]
    assert reader.read("a. a. A.", FAKE.encode_many)["child_in_danger"].span == (0, 2)  # one piece, read once
    assert reader.read("...", FAKE.encode_many) == {}


def test_pieces_are_sentences_and_clauses_of_three_words_or_more():
    text = "Hi. The meeting is long, but he has a knife, ok"
    found = [text[a:b] for a, b in pieces(text)]
    assert found == ["Hi.", "The meeting is long, but he has a knife, ok", "The meeting is long", "but he has a knife"]
    assert len(pieces("one two three. " * 100, most=5)) == 1  # the same piece read once


def test_the_weights_are_kept_and_read_back():
    reader = fitted()
    again = DangerReader.from_arrays({k: np.asarray(v) for k, v in reader.arrays().items()})
    vector = fake_encode("taken pills")
    assert np.allclose(reader.probabilities(vector), again.probabilities(vector))
    with pytest.raises(DangerReaderError, match="labels should be"):
        DangerReader(np.zeros((4, 3)), np.zeros(4), ["none", "a", "b", "c"])
    with pytest.raises(DangerReaderError, match="one row"):
        DangerReader(np.zeros((3, 3)), np.zeros(4), LABELS)
    with pytest.raises(DangerReaderError, match="no examples for parent_in_danger"):
        DangerReader.fit(np.eye(3), ["none", "child_in_danger", "parent_in_crisis"])


def test_the_examples_for_fitting_come_from_the_bank_and_training_examples():
    bank = {
        "child_in_danger": ("he is hitting my son. He hits hard.",),
        "parent_in_crisis_act": ("taken pills",),
        "parent_in_danger": ("knife me",),
        "parent_in_crisis": ("taken pills",),
        "safe": ("The report came. Can I bring my mum?",),
        "ask_venue": ("ignored: not a bank list",),
    }
    pairs = examples_for_fitting(bank)
    # The act under way is crisis; the same text once; a long safe text also
    # gives its sentences; a danger text is kept whole.
    assert pairs.count(("parent_in_crisis", "taken pills")) == 1
    assert ("none", "can i bring my mum?") in pairs and ("none", "the report came. can i bring my mum?") in pairs
    assert ("child_in_danger", "he is hitting my son. he hits hard.") in pairs
    assert not any(text == "he hits hard." for _, text in pairs)
    assert all(label in LABELS for label, _ in pairs)


# --------------------------------------------------------------- in the net
def reader_settings(strong=0.6, weak=0.4, frames=True):
    return replace(read_settings(), reader_strong=strong, reader_weak=weak, reader_frames=frames)


def test_the_reader_gives_a_strong_signal_a_weak_one_or_none():
    reader = fitted()
    net = SafetyNet(reader_settings(), reader=reader, encoder=FAKE)
    signals = [s for s in net.signals("i have taken the pills") if s.source == "reader"]
    assert [(s.route, s.strong) for s in signals] == [("parent_in_crisis", True)]
    assert net.decide("i have taken the pills").route == "parent_in_crisis"
    assert net.decide("the meeting report").route is None and not net.decide("the meeting report").note
    # Only weak: the note.
    weak = SafetyNet(reader_settings(strong=1.0, weak=0.4), reader=reader, encoder=FAKE)
    decision = weak.decide("i have taken the pills")
    assert decision.route is None and decision.note
    # Without a reader, or with the reader off in the settings: no signal.
    assert not [s for s in SafetyNet(reader_settings()).signals("taken pills") if s.source == "reader"]
    off = SafetyNet(read_settings(), reader=reader, encoder=FAKE)
    assert read_settings().reader_strong <= 1 or not off.signals("taken pills")


def test_a_piece_about_the_past_or_a_topic_is_only_weak():
    net = SafetyNet(reader_settings(strong=0.5), reader=fitted(), encoder=FAKE)
    net.words = type("Words", (), {"frame": staticmethod(lambda piece: "past" if "last year" in piece else None)})()
    readings = net.reader.read("taken pills last year", FAKE.encode_many)
    framed = reader_signals(readings, net.settings, "taken pills last year", net._framed)
    assert readings["parent_in_crisis"].probability >= 0.5
    assert [(s.route, s.strong) for s in framed] == [("parent_in_crisis", False)]
    unframed = reader_signals(
        readings, replace(net.settings, reader_frames=False), "taken pills last year", net._framed
    )
    assert [(s.route, s.strong) for s in unframed] == [("parent_in_crisis", True)]


def test_a_likely_piece_below_the_readers_own_signal_is_company_for_the_classifier():
    # A parent who cannot speak freely: the classifier sure of it, the reader
    # fairly sure but below its own signal.
    net = SafetyNet(replace(reader_settings(strong=0.99, weak=0.99), reader_company=0.4), reader=fitted(), encoder=FAKE)
    ranking = [("parent_in_danger", 0.97), ("ask_venue", 0.01)]
    text = "knife at me"
    assert net.reader.read(text, FAKE.encode_many)["parent_in_danger"].probability < 0.99
    assert net.decide(text, ranking).route == "parent_in_danger"
    # Without that company the classifier alone is only the note.
    alone = SafetyNet(replace(net.settings, reader_company=2.0), reader=fitted(), encoder=FAKE)
    assert alone.decide(text, ranking).route is None and alone.decide(text, ranking).note
    # A near-miss the reader finds unlikely, or a piece about the past, is no company.
    assert net.decide("the meeting report", ranking).route is None
    net.words = type(
        "Words",
        (),
        {
            "frame": staticmethod(lambda piece: "past" if "last year" in piece else None),
            "saying": staticmethod(lambda piece: False),
            "not_act": staticmethod(lambda piece: False),
            "signals": staticmethod(lambda text: []),
            "children_with_me": staticmethod(lambda text: False),
        },
    )()
    assert net.decide("knife at me last year", ranking).route is None


def test_a_saying_is_no_company_for_the_classifier():
    from companion.nlu.danger_words import danger_words

    assert danger_words().saying("I'd kill for one whole weekend without the school run")
    assert not danger_words().saying("he says he'll kill me for telling the social worker")


def test_the_reader_votes_like_any_other_source():
    signals = [Signal("reader", "parent_in_danger", True, None, 0.9), Signal("words", "parent_in_danger", False)]
    assert decide(signals).route == "parent_in_danger"
    assert decide([Signal("reader", "parent_in_crisis", False, None, 0.5)]).note


def test_the_reader_settings_are_checked(tmp_path):
    (tmp_path / "n.yml").write_text(
        "note: call 999\nsentences: {strong: 0.5, margin: 0.1, weak: 0.4, weak_margin: 0.1, act: 0.6}\n"
        "classifier: {strong: 0.9, weak: 0.6}\nreader: {strong: 0.5, weak: 0.7}\n"
    )
    with pytest.raises(SafetyNetError, match="reader.weak should not be above"):
        read_settings(tmp_path / "n.yml")
    (tmp_path / "n.yml").write_text((tmp_path / "n.yml").read_text().replace("weak: 0.7}", "weak: 0.3, frames: false}"))
    settings = read_settings(tmp_path / "n.yml")
    assert (settings.reader_strong, settings.reader_weak, settings.reader_frames) == (0.5, 0.3, False)
    assert settings.reader_company == 2.0  # off unless given
    (tmp_path / "n.yml").write_text((tmp_path / "n.yml").read_text().replace("frames: false}", "company: 0.2}"))
    assert read_settings(tmp_path / "n.yml").reader_company == 0.2


def test_unbalanced_fitting_keeps_the_few_danger_examples_from_swamping_the_safe_ones():
    many_safe = EXAMPLES + [("none", "the meeting report last year")] * 30
    vectors = np.stack([fake_encode(text) for _, text in many_safe])
    labels = [label for label, _ in many_safe]
    balanced = DangerReader.fit(vectors, labels, strength=10.0)
    plain = DangerReader.fit(vectors, labels, strength=10.0, balanced=False)
    ambiguous = fake_encode("taken pills meeting report")
    assert (
        plain.probabilities(ambiguous)[0][plain.labels.index("parent_in_crisis")]
        < (balanced.probabilities(ambiguous)[0][balanced.labels.index("parent_in_crisis")])
    )
