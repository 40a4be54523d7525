"""Our REST and socket.io channels: Rasa's own, plus two guarantees.

- Never silent: if a message gets no reply at all (the action server is
  down, or the conversation store failed), the parent gets the kind answer
  in content/unavailable.yml instead of nothing or an error page.
- Socket.io accepts connections only from the allowed origins (Rasa's
  channel accepts any): $CC_ALLOWED_ORIGINS (space-separated; the launcher
  sets it to the profile's `web.allowed_origins` plus its demo page), or
  else the profile's list. With none, only same-origin pages may connect.

Named in credentials.yml as conference_nlu.channels.RestChannel and
conference_nlu.channels.SocketIOChannel. Their names stay "rest" and
"socketio", so the webhook paths and the channel the actions see are
unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Text

import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from conference_nlu.origins import allowed_origins

logger = logging.getLogger(__name__)
UNAVAILABLE_PATH = Path(__file__).resolve().parent.parent / "content" / "unavailable.yml"


class ChannelConfigError(ValueError):
    """A channel's content or settings are missing or malformed."""


def load_unavailable(path: Path = UNAVAILABLE_PATH) -> Dict[Text, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise ChannelConfigError(f"{path}: cannot be read ({problem})") from None
    if not isinstance(data, dict) or not str(data.get("text") or "").strip():
        raise ChannelConfigError(f"{path}: text is missing")
    buttons = data.get("buttons") or []
    if not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in buttons):
        raise ChannelConfigError(f"{path}: each button needs a title and a payload")
    return {"text": data["text"].strip(), "buttons": buttons}


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 unavailable: Dict[Text, Any]) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler: no reply (or a failure) gets the kind answer."""

    async def handle(message: UserMessage) -> None:
        channel = message.output_channel
        send = channel.send_response
        replies = 0

        async def counted(recipient_id: Text, reply: Dict[Text, Any]) -> None:
            nonlocal replies
            replies += 1
            await send(recipient_id, reply)

        channel.send_response = counted
        try:
            await on_new_message(message)
        except Exception:  # the parent still gets an answer; the log says why
            logger.exception("Handling a message failed; sending the 'unavailable' answer.")
        if replies == 0:
            logger.warning("A message got no reply; sending the 'unavailable' answer.")
            await send(message.sender_id, dict(unavailable))

    return handle


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        super().__init__()
        self._unavailable = load_unavailable()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message, self._unavailable))


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
