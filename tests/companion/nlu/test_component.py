"""The Rasa component puts the safety check's finding on the message."""

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.components import DateExtractor, MessageLengthGuard, SafetyCheckComponent


def message(text, intent, confidence=0.3):
    m = Message(data={TEXT: text})
    m.set(INTENT, {"name": intent, "confidence": confidence})
    m.set(
        INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "child_in_danger", "confidence": 0.1}]
    )
    return m


def component():
    return SafetyCheckComponent(SafetyCheckComponent.get_default_config())


def test_danger_overrides_the_fallback():
    m = component().process([message("he is hitting the kids right now", "nlu_fallback")])[0]
    assert m.get(INTENT) == {"name": "child_in_danger", "confidence": 1.0}
    assert [r["name"] for r in m.get(INTENT_RANKING_KEY)] == ["child_in_danger", "nlu_fallback"]
    safety = m.get("safety")
    assert safety["route"] == "child_in_danger" and safety["classifier_intent"] == "nlu_fallback"
    assert "rules:child_in_danger:strong" in safety["signals"] and safety["note"] is False


def test_crisis_overrides_a_confident_wrong_intent():
    m = component().process([message("i cant go on", "cannot_attend", 0.95)])[0]
    assert m.get(INTENT)["name"] == "parent_in_crisis"


def test_ordinary_messages_are_left_alone():
    m = component().process([message("the police will be at the meeting", "ask_who_attends", 0.9)])[0]
    assert m.get(INTENT) == {"name": "ask_who_attends", "confidence": 0.9}
    assert m.get("safety") is None


def test_long_messages_are_not_guessed_at():
    guard = MessageLengthGuard({"max_characters": 1000})
    long, short = message("x" * 1001, "ask_venue", 0.9), message("x" * 1000, "ask_venue", 0.9)
    guard.process([long, short])
    assert long.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert long.get("too_long") == {"length": 1001, "limit": 1000}
    assert short.get(INTENT)["name"] == "ask_venue" and short.get("too_long") is None


def test_danger_in_a_long_message_still_wins():
    text = "sorry this is long. " * 60 + "he is hitting my son right now"
    m = message(text, "ask_venue", 0.9)
    MessageLengthGuard({"max_characters": 1000}).process([m])
    component().process([m])
    assert m.get(INTENT)["name"] == "child_in_danger"


def test_dates_become_entities_next_to_what_was_there():
    m = Message(data={TEXT: "ICPC was on 3/12/2026 at 10am, and 31st February is silly"})
    m.set(ENTITIES, [{"entity": "menu_section", "value": "x", "start": 0, "end": 1}])
    DateExtractor().process([m])
    got = [(e["entity"], e["value"]) for e in m.get(ENTITIES)]
    assert got == [("menu_section", "x"), ("date", "2026-12-03"), ("time", "10:00"), ("invalid_date", "31st February")]
    assert all(e.get("extractor") == "DateExtractor" for e in m.get(ENTITIES)[1:])


def test_a_date_of_birth_is_not_a_date_entity():
    """Issue #15: it was read back, stored as the conference date and as an entity."""
    m = Message(data={TEXT: "my son was born on 3rd March 2019 and the conference is on 3/12/2026"})
    DateExtractor().process([m])
    assert [(e["entity"], e["value"]) for e in m.get(ENTITIES)] == [("date", "2026-12-03")]


def tokenized(text, intent=None):
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    m = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([m])
    return m


def guard(tmp_path, train=True):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from companion.nlu.components import UnknownWordsGuard

    storage, resource, context = LocalModelStorage(tmp_path), Resource("guard"), ExecutionContext(GraphSchema({}), "t")
    if train:
        UnknownWordsGuard.create({}, storage, resource, context).train(
            TrainingData(
                [
                    tokenized("yes please", "affirm"),
                    tokenized("uh huh", "affirm"),
                    tokenized("what is a core group", "ask_core_group"),
                ]
            )
        )
    return UnknownWordsGuard.load({}, storage, resource, context)


def classified(text, intent="affirm", confidence=0.9):
    m = tokenized(text)
    m.set(INTENT, {"name": intent, "confidence": confidence})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "deny", "confidence": 0.05}])
    return m


def test_a_message_of_only_unknown_words_is_not_guessed_at(tmp_path):
    m = guard(tmp_path).process([classified("Hmm...")])[0]
    assert m.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    # The classifier's ranking stays, for the "did you mean" suggestions.
    assert [r["name"] for r in m.get(INTENT_RANKING_KEY)] == ["nlu_fallback", "affirm", "deny"]


def test_one_known_word_is_enough_and_an_untrained_guard_stands_aside(tmp_path):
    m = guard(tmp_path).process([classified("erm YES")])[0]
    assert m.get(INTENT) == {"name": "affirm", "confidence": 0.9} and m.get("unknown_words") is None
    empty = guard(tmp_path).process([classified("")])[0]
    assert empty.get(INTENT)["name"] == "affirm"
    untrained = guard(tmp_path / "none", train=False).process([classified("hmm")])[0]
    assert untrained.get(INTENT)["name"] == "affirm"


def test_danger_in_unknown_words_still_wins(tmp_path):
    m = classified("kms", "affirm", 0.9)
    guard(tmp_path).process([m])
    component().process([m])
    assert m.get(INTENT)["name"] == "parent_in_crisis"


def test_an_act_under_way_adds_the_crisis_act_entity_on_its_words():
    text = "sorry to bother you, i have swallowed 30 of my tablets"
    m = component().process([message(text, "ask_venue", 0.6)])[0]
    assert m.get(INTENT)["name"] == "parent_in_crisis"
    act = [e for e in m.get(ENTITIES) or [] if e["entity"] == "crisis_act"]
    assert len(act) == 1 and act[0]["value"] == "under_way"
    assert text[act[0]["start"] : act[0]["end"]] == "swallowed 30 of my tablets"
    assert m.get("safety")["act_under_way"] is True


def test_a_crisis_without_an_act_has_no_crisis_act_entity():
    m = component().process([message("i want to end my life", "ask_venue", 0.6)])[0]
    assert m.get(INTENT)["name"] == "parent_in_crisis"
    assert not [e for e in m.get(ENTITIES) or [] if e["entity"] == "crisis_act"]


def test_a_parent_attacked_gets_the_parent_in_danger_route():
    m = component().process([message("my husband is strangling me", "nlu_fallback")])[0]
    assert m.get(INTENT)["name"] == "parent_in_danger"


def test_the_classifier_alone_unsure_of_a_safety_intent_gives_way():
    m = Message(data={TEXT: "what time does the meeting start"})
    m.set(INTENT, {"name": "parent_in_crisis", "confidence": 0.5})
    m.set(
        INTENT_RANKING_KEY,
        [{"name": "parent_in_crisis", "confidence": 0.5}, {"name": "ask_meeting_steps", "confidence": 0.46}],
    )
    component().process([m])
    assert m.get(INTENT) == {"name": "ask_meeting_steps", "confidence": 0.46}
    m.set(INTENT, {"name": "parent_in_danger", "confidence": 0.5})
    m.set(
        INTENT_RANKING_KEY, [{"name": "parent_in_danger", "confidence": 0.5}, {"name": "ask_venue", "confidence": 0.2}]
    )
    component().process([m])
    assert m.get(INTENT)["name"] == "nlu_fallback"


def test_a_weak_signal_asks_for_the_note_and_keeps_the_answer():
    m = component().process([message("the report says he was hitting the kids, can i reply", "ask_complaint", 0.8)])[0]
    assert m.get(INTENT) == {"name": "ask_complaint", "confidence": 0.8}
    assert m.get("safety")["note"] is True and m.get("safety")["route"] is None


def test_training_keeps_the_examples_vectors_and_loading_uses_them(tmp_path, small_bank):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage, resource = LocalModelStorage(tmp_path), Resource("safety")
    context = ExecutionContext(GraphSchema({}), "t")
    examples = [
        Message(data={TEXT: "the tortoise has escaped from the garden", INTENT: "parent_in_danger"}),
        Message(data={TEXT: "what is a core group", INTENT: "ask_core_group"}),
    ]
    config = {**SafetyCheckComponent.get_default_config(), "bank": str(small_bank)}
    SafetyCheckComponent.create(config, storage, resource, context).train(TrainingData(examples))
    loaded = SafetyCheckComponent.load(config, storage, resource, context)
    nearest = loaded._net.bank.nearest("the tortoise has escaped from the garden")
    assert nearest["parent_in_danger"].similarity > 0.99  # a trained example is in the bank
    untrained = component()._net.bank.nearest("the tortoise has escaped from the garden")
    assert untrained["parent_in_danger"].similarity < 0.9
