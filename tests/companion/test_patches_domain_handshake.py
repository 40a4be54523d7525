"""Rasa 3.6 answers the domain handshake of rasa-sdk 3.11 and later (patch 9).

A small action server here behaves as rasa-sdk 3.21 does: it keeps the
domain it was last sent with its digest, and answers 449 to a call that
carries neither. tests/integration/test_every_action.py runs every custom
action against the real rasa-sdk.
"""

import asyncio

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from companion import patches

patches.install()  # as the Rasa server's entry point does (companion/server.py)

DOMAIN = {
    "version": "3.1",
    "slots": {"seen": {"type": "text", "mappings": [{"type": "custom"}]}},
    "actions": ["action_plain", {"action_reads_domain": {"send_domain": True}}],
}


class SdkLikeServer:
    """rasa-sdk 3.21's webhook, as far as the domain goes (rasa_sdk/executor.py)."""

    def __init__(self, status=None):
        self.calls = []
        self.kept = None
        self.digest = None
        self.status = status

    async def webhook(self, request):
        call = await request.json()
        self.calls.append(call)
        if self.status:
            return web.json_response({"error": "broken", "action_name": call["next_action"]}, status=self.status)
        digest = call.get("domain_digest")
        if call.get("domain") is None and not (self.digest and self.digest == digest):
            return web.json_response({"error": "no domain", "action_name": call["next_action"]}, status=449)
        if call.get("domain"):
            self.kept, self.digest = call["domain"], digest
        slots = sorted(self.kept["slots"]) if self.kept else []
        return web.json_response({"events": [{"event": "slot", "name": "seen", "value": ",".join(slots)}]})


def run_actions(server, names):
    """Runs each named action once through Rasa's RemoteAction; returns each one's events."""

    async def main():
        app = web.Application()
        app.router.add_post("/webhook", server.webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", enable_selective_domain=True)
        domain = Domain.from_dict(DOMAIN)
        results = []
        try:
            for name in names:
                tracker = DialogueStateTracker.from_events("parent", [], slots=domain.slots)
                output = CollectingOutputChannel()
                nlg = TemplatedNaturalLanguageGenerator(domain.responses)
                results.append(await RemoteAction(name, endpoint).run(output, nlg, tracker, domain))
        finally:
            await runner.cleanup()
        return results

    return asyncio.run(main())


def test_the_first_call_is_made_again_with_the_domain_then_the_digest_is_enough():
    server = SdkLikeServer()
    first, second = run_actions(server, ["action_plain", "action_plain"])
    assert first == [SlotSet("seen", "seen")] and second == [SlotSet("seen", "seen")]
    assert [("domain" in call, bool(call["domain_digest"])) for call in server.calls] == [
        (False, True),  # selective domain: no domain, the digest only -> 449
        (True, True),  # the same call again with the whole domain
        (False, True),  # the action server keeps it: the digest is enough
    ]
    assert len({call["domain_digest"] for call in server.calls}) == 1
    assert list(server.calls[1]["domain"]["slots"]) == ["seen"]


def test_an_action_that_reads_the_domain_gets_it_first_time():
    server = SdkLikeServer()
    (events,) = run_actions(server, ["action_reads_domain"])
    assert events == [SlotSet("seen", "seen")]
    assert len(server.calls) == 1 and "domain" in server.calls[0]


@pytest.mark.parametrize("status", [400, 404, 500])
def test_other_failures_are_not_asked_again(status):
    server = SdkLikeServer(status=status)
    with pytest.raises(RasaException):
        run_actions(server, ["action_plain"])
    assert len(server.calls) == 1


def test_the_digest_is_the_domain_fingerprint_computed_once(monkeypatch):
    domain = Domain.from_dict(DOMAIN)
    counted = []
    fingerprint = domain.fingerprint
    monkeypatch.setattr(domain, "fingerprint", lambda: counted.append(1) or fingerprint())
    assert patches.domain_digest(domain) == patches.domain_digest(domain) == fingerprint()
    assert counted == [1]
