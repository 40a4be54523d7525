"""The profile's slots are asked for only when they may be stale."""

import asyncio

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import SlotSet, UserUttered

import conference_nlu  # noqa: F401  (installs the wrapper, as Rasa's start-up does)
from conference_nlu.profile_refresh import REFRESH_SECONDS, loaded_recently, skipping_fresh_profiles

NOW = 1_800_000_000.0


def slot(value, age, key="profile_loaded"):
    return SlotSet(key, value, timestamp=NOW - age)


def test_fresh_stale_failed_and_never_loaded():
    assert loaded_recently([slot(True, 10), UserUttered("hi", timestamp=NOW)], NOW)
    assert not loaded_recently([slot(True, REFRESH_SECONDS + 1)], NOW)
    assert not loaded_recently([slot(True, 10), slot(None, 5)], NOW)        # the latest one counts
    assert not loaded_recently([slot("x", 10, key="organisation_name")], NOW)
    assert not loaded_recently([], NOW)


class Tracker:
    def __init__(self, events):
        self.events = events


def calls(events):
    made = []

    async def original(self, mapping, executed, *rest):
        made.append(mapping["action"])
        executed.add(mapping["action"])
        return [SlotSet("profile_loaded", True)], executed

    wrapped = skipping_fresh_profiles(original)
    for action in ("action_load_profile", "action_other"):
        result, executed = asyncio.run(wrapped(None, {"action": action}, set(), None, None, Tracker(events), None))
        assert action in executed
    return made


def test_a_fresh_profile_is_not_asked_for_again_but_other_actions_are(monkeypatch):
    import time
    monkeypatch.setattr(time, "time", lambda: NOW)
    assert calls([slot(True, 10)]) == ["action_other"]
    assert calls([slot(True, REFRESH_SECONDS + 5)]) == ["action_load_profile", "action_other"]
    assert calls([]) == ["action_load_profile", "action_other"]


def test_rasa_uses_the_wrapper_once():
    wrapper = ActionExtractSlots._execute_custom_action
    assert hasattr(wrapper, "wrapped") and not hasattr(wrapper.wrapped, "wrapped")
    conference_nlu.profile_refresh.install()
    assert ActionExtractSlots._execute_custom_action is wrapper
