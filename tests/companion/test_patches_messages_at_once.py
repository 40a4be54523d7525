"""Patch 13 in companion/patches.py (CC_MESSAGES_AT_ONCE): at most N
messages are handled at once, the others in order of arrival."""

import asyncio

import pytest

from companion import patches


def handled_with(at_once: int, messages: int = 6):
    running, most, order = [0], [0], []

    async def handle(self, message):
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.01)  # a call to the action server
        await asyncio.sleep(0.01)
        running[0] -= 1
        order.append(message)
        return message

    wrapped = patches.admitted_in_turn(handle, at_once)

    async def main():
        return await asyncio.gather(*(wrapped(None, n) for n in range(messages)))

    answers = asyncio.run(main())
    return answers, most[0], order


def test_one_at_a_time_in_order_of_arrival():
    answers, most, order = handled_with(1)
    assert answers == list(range(6))
    assert most == 1
    assert order == list(range(6))


def test_at_most_n_at_once():
    answers, most, _ = handled_with(3)
    assert answers == list(range(6))
    assert most == 3


def test_an_error_frees_the_turn():
    async def handle(self, message):
        if message == 0:
            raise RuntimeError("failed")
        return message

    wrapped = patches.admitted_in_turn(handle, 1)

    async def main():
        first = await asyncio.gather(wrapped(None, 0), return_exceptions=True)
        return first, await wrapped(None, 1)

    first, second = asyncio.run(main())
    assert isinstance(first[0], RuntimeError) and second == 1


def test_zero_is_refused():
    with pytest.raises(ValueError):
        patches.admitted_in_turn(lambda *a: None, 0)


def test_installed_only_when_asked(monkeypatch):
    from rasa.core.agent import Agent

    monkeypatch.delenv("CC_MESSAGES_AT_ONCE", raising=False)
    patches.install()
    assert not hasattr(Agent.handle_message, "wrapped")
    monkeypatch.setenv("CC_MESSAGES_AT_ONCE", "4")
    rasa_s = Agent.handle_message
    try:
        patches.install()
        assert Agent.handle_message.wrapped is rasa_s
    finally:
        Agent.handle_message = rasa_s
