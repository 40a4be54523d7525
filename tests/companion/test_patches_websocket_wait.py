"""Sanic 21.12's websocket reads work on Python 3.11 (patch 10).

Sanic reads a message with asyncio.wait((a future, a coroutine)), which
Python 3.11 refuses; the stand-in asyncio turns the coroutine into a task.
tests/integration (the socket.io tests) and the browser tests talk to the
real websocket.
"""

import asyncio
import sys

import pytest
from sanic.server.websockets import impl as sanic_websockets

from companion import patches

patches.install()  # as the Rasa server's entry point does (companion/server.py)


async def message():
    await asyncio.sleep(0)
    return "hello"


def test_python_refuses_coroutines_in_wait_which_sanic_passes():
    async def plain():
        coroutine = message()
        try:
            await asyncio.wait((asyncio.get_running_loop().create_future(), coroutine), timeout=0.01)
        finally:
            coroutine.close()

    assert sys.version_info >= (3, 11)
    with pytest.raises(TypeError):
        asyncio.run(plain())


def test_sanic_s_websocket_module_waits_through_the_stand_in():
    assert isinstance(sanic_websockets.asyncio, patches.AsyncioWaitingOnCoroutines)
    assert sanic_websockets.asyncio.Future is asyncio.Future
    assert sanic_websockets.asyncio.FIRST_COMPLETED == asyncio.FIRST_COMPLETED


def test_the_message_arrives_and_the_cancel_future_is_still_itself():
    async def read():
        cancel = asyncio.get_running_loop().create_future()
        done, pending = await sanic_websockets.asyncio.wait((cancel, message()), return_when=asyncio.FIRST_COMPLETED)
        (finished,) = done
        assert pending == {cancel}
        return finished.result()

    assert asyncio.run(read()) == "hello"


def test_a_cancel_before_the_message_is_seen_as_the_same_future():
    async def read():
        cancel = asyncio.get_running_loop().create_future()
        cancel.set_result(None)
        never = asyncio.get_running_loop().create_future()
        done, pending = await sanic_websockets.asyncio.wait((cancel, never), return_when=asyncio.FIRST_COMPLETED)
        never.cancel()
        return next(iter(done)) is cancel

    assert asyncio.run(read())
