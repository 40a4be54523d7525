"""The socket.io channel the widget talks to, on the events of Rasa's own
(session_request, session_confirm, user_uttered, bot_uttered). Its name
stays "socketio". What it adds:

- connections only from the allowed origins (Rasa's channel accepts any):
  $CC_ALLOWED_ORIGINS (space-separated; the launcher sets it to the
  profile's `web.allowed_origins` plus its demo page), or else the
  profile's list. With none, only same-origin pages may connect;
- each conversation has a token (companion/channels/tokens.py). A
  `session_request` with a genuine token rejoins its conversation; any other
  (no token, another session's id, a forged token) starts a new one. The
  answer, `session_confirm`, is {"session_id": ..., "token": ...}. A
  connection's messages always go to the conversation it was confirmed for,
  whatever session_id they name, so no one else's replies reach it;
- packets over $CC_MAX_BODY_BYTES close the connection; a message that is not
  text gets a kind answer (content/requests.yml); typed payloads are screened
  (companion/channels/guard.py);
- rate limited and never silent (companion/channels/common.py);
- each reply names the message it answers (`reply_to`: the message's own
  metadata `message_id`), so the widget can tell a late paragraph of an
  earlier answer (the greeting's, say) from the answer it is waiting for.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from companion.channels import guard
from companion.channels.common import load_unavailable, never_silent
from companion.channels.origins import allowed_origins
from companion.channels.screen import GuardedSocketBlueprint, screened
from companion.channels.tokens import shared_tokens
from companion.stores.shared_state import message_id_of

logger = logging.getLogger(__name__)


class ReplyOutput(SocketIOOutput):
    """Rasa's socket.io output, with each message marked `reply_to` the
    sender's id for the message it answers (none when the sender gave none)."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, reply_to: str | None = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.reply_to = reply_to

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self.reply_to is not None and isinstance(response, dict):
            response = {**response, "reply_to": self.reply_to}
        await super()._send_message(socket_id, response)


class SocketIOChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SocketIOChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
    ) -> None:
        self.user_message_evt, self.bot_message_evt = user_message_evt, bot_message_evt
        self.socketio_path = socketio_path
        self.sio: AsyncServer | None = None
        self._tokens = shared_tokens()
        self._words = guard.load_request_words()
        self._sessions: Dict[str, str] = {}  # socket id -> its conversation

    def get_output_channel(self) -> OutputChannel | None:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa builds its server with origin checks turned off ([]); ours are
        # on. None means same-origin pages only.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=allowed_origins() or None,
            max_http_buffer_size=guard.MAX_BODY_BYTES,
        )
        self.sio = sio
        socketio_webhook = GuardedSocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        handle = never_silent(on_new_message, load_unavailable())

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def confirm(sid: str, conversation: str, token: str) -> None:
            previous = self._sessions.get(sid)
            if previous and previous != conversation:
                sio.leave_room(sid, previous)
            self._sessions[sid] = conversation
            sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", {"session_id": conversation, "token": token}, room=sid)

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self._sessions.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            owner = self._tokens.verify(data.get("token"))
            asked = data.get("session_id")
            if owner is not None and asked in (None, owner):
                await confirm(sid, owner, data["token"])
                return
            if asked or data.get("token"):
                logger.info("socket.io: a session request without its conversation's token got a new session.")
            await confirm(sid, *self._tokens.new())

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            conversation = self._sessions.get(sid)
            if conversation is None:  # no session_request first: a new conversation
                await confirm(sid, *self._tokens.new())
                conversation = self._sessions[sid]
            data = data if isinstance(data, dict) else {}
            output = ReplyOutput(sio, self.bot_message_evt, message_id_of(data.get("metadata")))
            try:
                text = guard.message_text(data.get("message"))
                metadata = guard.metadata(data.get("metadata"))
            except guard.Refused as refused:
                logger.info("socket.io: a message that is not a message (%s).", refused.reason)
                await output.send_text_message(conversation, self._words.not_a_message)
                return
            agent = socketio_webhook.ctx.app.ctx.agent
            text = await screened(text, conversation, agent)
            await handle(UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata))

        return socketio_webhook
