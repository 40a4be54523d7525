"""Patch 13 in companion/patches.py (CC_MESSAGES_AT_ONCE, 3 by default): at
most N messages are handled at once, the others in order of arrival, each
waiting at most PATIENCE seconds before it goes ahead anyway."""

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


def test_a_message_that_waits_too_long_goes_ahead():
    # A stuck turn (a hung action server) holds the only place; the next
    # message goes ahead after its patience instead of waiting for ever.
    stuck = asyncio.Event()

    async def handle(self, message):
        if message == "stuck":
            await stuck.wait()
        return message

    wrapped = patches.admitted_in_turn(handle, 1, patience=0.05)

    async def main():
        first = asyncio.ensure_future(wrapped(None, "stuck"))
        await asyncio.sleep(0.01)
        second = await asyncio.wait_for(wrapped(None, "next"), timeout=2)
        stuck.set()
        return second, await first

    assert asyncio.run(main()) == ("next", "stuck")


def test_each_event_loop_has_its_own_turns():
    answers, most, _ = handled_with(1)
    again, most_again, _ = handled_with(1)
    assert answers == again == list(range(6)) and most == most_again == 1


@pytest.mark.parametrize(
    "setting, expected", [(None, patches.MESSAGES_AT_ONCE), ("", patches.MESSAGES_AT_ONCE), ("0", 0), ("5", 5)]
)
def test_the_setting(monkeypatch, setting, expected):
    if setting is None:
        monkeypatch.delenv("CC_MESSAGES_AT_ONCE", raising=False)
    else:
        monkeypatch.setenv("CC_MESSAGES_AT_ONCE", setting)
    assert patches.messages_at_once() == expected


def test_a_bad_setting_is_refused(monkeypatch):
    monkeypatch.setenv("CC_MESSAGES_AT_ONCE", "lots")
    with pytest.raises(ValueError):
        patches.messages_at_once()


def test_installed_by_default_and_off_with_zero(monkeypatch):
    from rasa.core.agent import Agent

    before = Agent.handle_message
    rasa_s = getattr(before, "wrapped", before)
    try:
        Agent.handle_message = rasa_s
        monkeypatch.setenv("CC_MESSAGES_AT_ONCE", "0")
        patches.install()
        assert Agent.handle_message is rasa_s
        monkeypatch.delenv("CC_MESSAGES_AT_ONCE", raising=False)
        patches.install()
        assert Agent.handle_message.wrapped is rasa_s
    finally:
        Agent.handle_message = before
