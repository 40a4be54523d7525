"""What every channel of ours shares: a rate limit per conversation, and a
kind answer instead of silence when a message gets no reply.

- Rate limited: one conversation may send `per_minute` messages in any
  minute (content/unavailable.yml); past that it is asked to wait.
  The count is shared by every replica when Redis is used
  (companion/stores/shared_state.py).
- Sent once: a message sent again with the same metadata "message_id" (the
  widget resends one that got no answer) is handled only once.
- Never silent: if a message gets no reply at all (the action server is
  down, or the conversation store failed), the parent gets the kind answer
  in content/unavailable.yml instead of nothing or an error page.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage

from companion.paths import CONTENT_DIR
from companion.stores.shared_state import InProcessRateLimiter, first_time, message_id_of, shared_state
from companion.yaml_file import read_mapping

logger = logging.getLogger(__name__)
UNAVAILABLE_PATH = CONTENT_DIR / "unavailable.yml"


class ChannelConfigError(ValueError):
    """A channel's content or settings are missing or malformed."""


# At most ``limit`` messages per sender in any ``window`` seconds, in this
# process; never_silent uses the shared one (Redis with several replicas).
RateLimiter = InProcessRateLimiter


def load_unavailable(path: Path = UNAVAILABLE_PATH) -> Dict[str, Any]:
    data = read_mapping(path, ChannelConfigError)
    if not str(data.get("text") or "").strip():
        raise ChannelConfigError(f"{path}: text is missing")
    buttons = data.get("buttons") or []
    if not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in buttons):
        raise ChannelConfigError(f"{path}: each button needs a title and a payload")
    # A deployment (or a benchmark) may set its own limit without editing content.
    limit = (
        int(os.environ["CC_MESSAGES_PER_MINUTE"])
        if os.environ.get("CC_MESSAGES_PER_MINUTE")
        else data.get("per_minute")
    )
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ChannelConfigError(f"{path}: per_minute should be a whole number above 0")
    if not str(data.get("too_many") or "").strip():
        raise ChannelConfigError(f"{path}: too_many is missing")
    return {"text": data["text"].strip(), "buttons": buttons, "too_many": data["too_many"].strip(), "per_minute": limit}


def never_silent(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    unavailable: Dict[str, Any],
    limiter: Any | None = None,
    message_ids: Any | None = None,
) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler: a message id already handled is dropped;
    too many messages get a request to slow down (and are not processed); no
    reply, or a failure, gets the kind answer."""
    limiter = limiter or shared_state().rate_limiter(unavailable["per_minute"])
    ids = message_ids or shared_state().message_ids()
    answer = {"text": unavailable["text"], "buttons": unavailable["buttons"]}

    async def handle(message: UserMessage) -> None:
        message_id = message_id_of(message.metadata)
        if message_id and not await first_time(ids, message.sender_id, message_id):
            logger.info("A message sent again was handled already; not handled twice.")
            return
        try:
            await handle_once(message)
        finally:
            if message_id:
                ids.done(message.sender_id, message_id)

    async def handle_once(message: UserMessage) -> None:
        channel = message.output_channel
        send = channel.send_response
        if not limiter.allow(message.sender_id):
            logger.warning("Rate limit reached for one conversation; message not processed.")
            await send(message.sender_id, {"text": unavailable["too_many"]})
            return
        replies = 0

        async def counted(recipient_id: str, reply: Dict[str, Any]) -> None:
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
            await send(message.sender_id, dict(answer))

    return handle
