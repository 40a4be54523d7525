"""Rasa's REST channel (POST /webhooks/rest/webhook), rate limited and never
silent (companion/channels/common.py). Its name stays "rest", so the webhook
path and the channel the actions see are Rasa's own."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from companion.channels.common import load_unavailable, never_silent


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        super().__init__()
        self._unavailable = load_unavailable()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message, self._unavailable))
