"""A readiness check for probes: GET /webhooks/ready/ answers 200 only when
this server's model understands a message, else 503.

Rasa's own GET / answers as soon as the web server runs, before or without
a working model, so it is only a liveness check. This one asks the loaded
model to read one short message (NLU only: nothing is stored, no action is
run, no rate limit is spent), so a load balancer or Kubernetes sends
parents here only when the bot can answer. Named in credentials.yml, like
a channel, because Rasa adds only channels' routes to its web server.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
PROBE_TEXT = "hello"


async def model_answers(agent: Any, text: str = PROBE_TEXT) -> bool:
    """True if ``agent`` has a model that gives ``text`` an intent."""
    if agent is None or not agent.is_ready():
        return False
    try:
        parsed = await agent.parse_message(text)
    except Exception:  # noqa: BLE001 - a probe says no; the log says why
        logger.exception("Readiness: the model could not read the probe message.")
        return False
    return bool((parsed.get("intent") or {}).get("name"))


class ReadinessChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "ready"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> ReadinessChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        probe = Blueprint("readiness", __name__)

        @probe.route("/", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if await model_answers(agent):
                return response.json({"status": "ready"})
            return response.json({"status": "not ready"}, status=503)

        return probe
