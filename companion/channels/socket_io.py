"""Rasa's socket.io channel, rate limited and never silent, accepting
connections only from the allowed origins (Rasa's channel accepts any):
$CC_ALLOWED_ORIGINS (space-separated; the launcher sets it to the profile's
`web.allowed_origins` plus its demo page), or else the profile's list. With
none, only same-origin pages may connect. Its name stays "socketio"."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from companion.channels.common import load_unavailable, never_silent
from companion.channels.origins import allowed_origins


class SocketIOChannel(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message, load_unavailable()))
        # Rasa builds its server with origin checks turned off ([]); turn
        # them on. None means same-origin pages only.
        self.sio.eio.cors_allowed_origins = allowed_origins() or None
        return blueprint
