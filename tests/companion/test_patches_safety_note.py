"""The safety net's note: one line with 999 before the answer, once, only
when the latest message asked for it."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from companion import patches
from companion.nlu.safety_net import read_settings
from companion.patches import note_first, note_wanted

patches.install()  # as the Rasa server's entry point does (companion/server.py)
NOTE = read_settings().note


def tracker(safety=None, after=()):
    parse = {"intent": {"name": "ask_venue", "confidence": 0.9}, "entities": []}
    if safety is not None:
        parse["safety"] = safety
    events = [UserUttered("where is it", parse["intent"], [], parse), *after]
    return DialogueStateTracker.from_events("parent", events)


def run(tr):
    said = []

    async def loop(self, channel, tr):
        said.append("the answer")
        await channel.send_response(tr.sender_id, {"text": "the answer"})

    channel = CollectingOutputChannel()
    asyncio.run(note_first(loop, NOTE)(None, channel, tr))
    return [m["text"] for m in channel.messages], said


def test_the_note_comes_first_when_asked_for():
    tr = tracker({"note": True, "route": None})
    texts, said = run(tr)
    assert texts == [NOTE, "the answer"] and said == ["the answer"]
    assert "999" in NOTE
    # Kept in the conversation as a bot utterance, not as an action.
    assert [type(e).__name__ for e in tr.events][-1] == "BotUttered"
    assert not any(isinstance(e, ActionExecuted) and e.action_name == "utter_safety_note" for e in tr.events)


def test_no_note_without_the_flag_or_once_answered():
    assert run(tracker())[0] == ["the answer"]
    assert run(tracker({"note": False, "route": "child_in_danger"}))[0] == ["the answer"]
    answered = tracker({"note": True}, after=[ActionExecuted("utter_venue"), BotUttered("x")])
    assert not note_wanted(answered)


def test_the_patch_is_installed_on_the_prediction_loop_once():
    loop = MessageProcessor._run_prediction_loop
    assert hasattr(loop, "wrapped")
    patches.install()
    assert MessageProcessor._run_prediction_loop is loop
