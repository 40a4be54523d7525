"""Patch 12 in companion/patches.py: what is alive once the model has loaded
is frozen out of the garbage collector's passes; later garbage is collected."""

import asyncio
import gc

from rasa.core import run as rasa_run

from companion import patches

patches.install()  # as the Rasa server's entry point does (companion/server.py)


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_serve_application_loads_the_agent_through_the_patch():
    assert hasattr(rasa_run.load_agent_on_start, "wrapped")


def test_after_loading_the_loaded_objects_are_frozen_and_new_garbage_is_collected():
    loaded = Cycle()

    async def load(*args, **kwargs):
        return loaded

    try:
        agent = asyncio.run(patches.frozen_after_loading(load)("model", None, None, "app", "loop"))
        assert agent is loaded
        assert gc.get_freeze_count() > 0
        assert not any(obj is loaded for obj in gc.get_objects())  # frozen: outside the generations
        later = Cycle()
        assert any(obj is later for obj in gc.get_objects())
        del later
        assert gc.collect() >= 1  # the new cycle was collected
    finally:
        gc.unfreeze()
