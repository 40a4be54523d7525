"""The REST channel (POST /webhooks/rest/webhook), on the shape of Rasa's own:
a JSON body {"message": ..., "sender": ...}, answered with a JSON list of
the bot's messages. Its name stays "rest", so the webhook path and the
channel the actions see are Rasa's own. What it adds:

- rate limited and never silent (companion/channels/common.py);
- checked before any work (companion/channels/guard.py): JSON only, a
  message that is text, a small body, a page of an allowed origin when a
  browser sends one, and typed payloads that set nothing;
- each conversation has a token (companion/channels/tokens.py), sent back
  in the X-Conversation-Token header of every reply, and needed for every
  later message: {"token": ..., "message": ...}. Without "sender" a new
  conversation starts; POST /webhooks/rest/session gives one without a
  message. In production ($CC_ENV=production) a sender id alone is never
  enough; in development it is, only for a conversation's first message.

A refused request gets an HTTP error with {"error": "..."} (the words are in
content/requests.yml); a message that is taken always gets at least one reply.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from companion.channels import guard
from companion.channels.common import load_unavailable, never_silent
from companion.channels.origins import allowed_origins
from companion.channels.screen import GuardedBlueprint, conversation_exists, screened
from companion.channels.tokens import production, shared_tokens

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Conversation-Token"


class RestChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        self._unavailable = load_unavailable()
        self._words = guard.load_request_words()
        self._tokens = shared_tokens()
        self._production = production()
        self._origins = set(allowed_origins())

    def _refuse(self, refused: guard.Refused) -> HTTPResponse:
        logger.info("REST channel: refused a request (%s, %s).", refused.status, refused.reason)
        return response.json({"error": self._words.errors[refused.reason]}, status=refused.status)

    def _origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("Origin")
        return origin is None or origin in self._origins

    async def _conversation(self, request: Request, data: Dict[str, Any]):
        sender, token = data.get("sender"), data.get("token")
        exists = False
        if token is None and sender is not None and not self._production:
            exists = await conversation_exists(request.app.ctx.agent.tracker_store, sender)
        return guard.conversation_for(self._tokens, sender, token, exists, self._production)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = GuardedBlueprint("rest_webhook", __name__)
        handle = never_silent(on_new_message, self._unavailable)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            try:
                if not self._origin_allowed(request):
                    raise guard.Refused(403, "bad_origin")
                data = guard.parse_body(request.content_type, request.body) if request.body else {}
                if data.get("token") is not None:
                    raise guard.Refused(400, "bad_json")
                sender, token = await self._conversation(request, {"sender": data.get("sender")})
            except guard.Refused as refused:
                return self._refuse(refused)
            return response.json({"sender": sender, "token": token}, headers={TOKEN_HEADER: token})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                if not self._origin_allowed(request):
                    raise guard.Refused(403, "bad_origin")
                data = guard.parse_body(request.content_type, request.body)
                text = guard.message_text(data.get("message"))
                metadata = guard.metadata(data.get("metadata"))
                sender, token = await self._conversation(request, data)
            except guard.Refused as refused:
                return self._refuse(refused)
            text = await screened(text, sender, request.app.ctx.agent)
            collector = CollectingOutputChannel()
            await handle(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
            return response.json(collector.messages, headers={TOKEN_HEADER: token})

        return webhook
