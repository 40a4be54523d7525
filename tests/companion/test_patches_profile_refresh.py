"""The profile's slots come from values kept for five minutes, not from an
action-server call with every message."""

import asyncio

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import SlotSet

from companion import patches
from companion.patches import REFRESH_SECONDS, ProfileValues, from_kept_profile

patches.install()  # as the Rasa server's entry point does (companion/server.py)

PROFILE = {"profile_loaded": True, "organisation_name": "Ashdown Borough Council", "contact_phone": "01632 960 100"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Tracker:
    def __init__(self, **slots):
        self.slots = slots

    def get_slot(self, name):
        return self.slots.get(name)


def setup(answers):
    """A wrapper around a fake action server that gives `answers` in turn."""
    clock, calls = Clock(), []

    async def action_server(self, mapping, executed, *rest):
        calls.append(mapping["action"])
        executed.add(mapping["action"])
        values = answers.pop(0) if mapping["action"] == "action_load_profile" else {"other": 1}
        return [SlotSet(name, value) for name, value in values.items()], executed

    wrapped = from_kept_profile(action_server, ProfileValues(REFRESH_SECONDS, clock))

    def fill(tracker, action="action_load_profile"):
        events, executed = asyncio.run(wrapped(None, {"action": action}, set(), None, None, tracker, None))
        assert action in executed
        return {e.key: e.value for e in events}

    return fill, clock, calls


def test_one_call_fills_many_conversations_with_only_what_differs():
    fill, clock, calls = setup([dict(PROFILE)])
    assert fill(Tracker()) == PROFILE
    assert fill(Tracker()) == PROFILE  # a new conversation
    assert fill(Tracker(**PROFILE)) == {}  # nothing differs
    assert fill(Tracker(**dict(PROFILE, organisation_name="Old"))) == {
        "organisation_name": PROFILE["organisation_name"]
    }
    assert calls == ["action_load_profile"]


def test_the_values_are_asked_for_again_after_five_minutes():
    changed = dict(PROFILE, contact_phone="01632 960 999")
    fill, clock, calls = setup([dict(PROFILE), changed])
    fill(Tracker())
    clock.now += REFRESH_SECONDS - 1
    assert fill(Tracker(**PROFILE)) == {}
    clock.now += 2
    assert fill(Tracker(**PROFILE)) == {"contact_phone": "01632 960 999"}
    assert calls == ["action_load_profile"] * 2


def test_while_the_action_server_is_down_every_message_asks_again():
    fill, clock, calls = setup([{}, {}, dict(PROFILE)])
    assert fill(Tracker()) == {}
    assert fill(Tracker()) == {}
    assert fill(Tracker()) == PROFILE
    assert fill(Tracker()) == PROFILE
    assert calls == ["action_load_profile"] * 3


def test_other_custom_actions_are_called_as_before():
    fill, clock, calls = setup([dict(PROFILE)])
    assert fill(Tracker(), "action_other") == {"other": 1}
    assert fill(Tracker(), "action_other") == {"other": 1}
    assert calls == ["action_other", "action_other"]


def test_rasa_uses_the_wrapper_once():
    wrapper = ActionExtractSlots._execute_custom_action
    assert hasattr(wrapper, "wrapped") and not hasattr(wrapper.wrapped, "wrapped")
    patches.install()
    assert ActionExtractSlots._execute_custom_action is wrapper
