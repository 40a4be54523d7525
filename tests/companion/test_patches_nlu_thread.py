"""Patch 11 in companion/patches.py: the NLU graph runs in one worker thread,
off the event loop, with Rasa's own steps around it."""

import asyncio
import threading

from rasa.core.processor import MessageProcessor

from companion import patches


class FakeProcessor:
    http_interpreter = None

    def __init__(self):
        self.threads, self.steps = [], []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.threads.append(threading.current_thread())
        return {"text": message.text, "intent": {"name": "greet"}, "entities": [], "sender": tracker.sender_id}

    def _update_full_retrieval_intent(self, parse_data):
        self.steps.append("retrieval")

    def _check_for_unseen_features(self, parse_data):
        self.steps.append("unseen")


class Message:
    text, sender_id = "hello", "parent-1"


def test_the_graph_runs_in_one_worker_thread_and_rasa_s_steps_follow():
    async def never_called(*_):
        raise AssertionError("Rasa's own parse_message is not used")

    parse = patches.nlu_in_a_thread(never_called)
    processor = FakeProcessor()

    async def three():
        return await asyncio.gather(*(parse(processor, Message()) for _ in range(3)))

    results = asyncio.run(three())
    assert [r["intent"]["name"] for r in results] == ["greet"] * 3
    assert results[0]["sender"] == "parent-1"  # a tracker is made when none is given
    assert threading.main_thread() not in processor.threads
    assert len(set(processor.threads)) == 1  # one worker: never two messages at once
    assert processor.steps == ["retrieval", "unseen"] * 3


def test_an_http_interpreter_is_left_to_rasa():
    called = []

    async def rasa_s(*args):
        called.append(args)
        return {"intent": {"name": "x"}}

    processor = FakeProcessor()
    processor.http_interpreter = object()
    assert asyncio.run(patches.nlu_in_a_thread(rasa_s)(processor, Message())) == {"intent": {"name": "x"}}
    assert len(called) == 1 and processor.threads == []


def test_installed_only_when_asked(monkeypatch):
    original = getattr(MessageProcessor.parse_message, "wrapped", MessageProcessor.parse_message)
    monkeypatch.setattr(MessageProcessor, "parse_message", original)  # put back after the test
    monkeypatch.delenv("CC_NLU_THREAD", raising=False)
    patches.install()
    assert MessageProcessor.parse_message is original
    monkeypatch.setenv("CC_NLU_THREAD", "1")
    patches.install()
    patches.install()  # once only
    assert MessageProcessor.parse_message.wrapped is original
