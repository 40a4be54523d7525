"""The Rasa component puts the safety check's finding on the message."""

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from conference_nlu.components import SafetyCheckComponent


def message(text, intent, confidence=0.3):
    m = Message(data={TEXT: text})
    m.set(INTENT, {"name": intent, "confidence": confidence})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                               {"name": "child_in_danger", "confidence": 0.1}])
    return m


def component():
    return SafetyCheckComponent(SafetyCheckComponent.get_default_config())


def test_danger_overrides_the_fallback():
    m = component().process([message("he is hitting the kids right now", "nlu_fallback")])[0]
    assert m.get(INTENT) == {"name": "child_in_danger", "confidence": 1.0}
    assert [r["name"] for r in m.get(INTENT_RANKING_KEY)] == ["child_in_danger", "nlu_fallback"]
    assert m.get("safety") == {"rule": "harm happening now to a child", "classifier_intent": "nlu_fallback"}


def test_crisis_overrides_a_confident_wrong_intent():
    m = component().process([message("i cant go on", "cannot_attend", 0.95)])[0]
    assert m.get(INTENT)["name"] == "parent_in_crisis"


def test_ordinary_messages_are_left_alone():
    m = component().process([message("the police will be at the meeting", "ask_who_attends", 0.9)])[0]
    assert m.get(INTENT) == {"name": "ask_who_attends", "confidence": 0.9}
    assert m.get("safety") is None
