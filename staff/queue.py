"""The review queue: parents' messages the bot declined, was unsure about,
or where the parent chose "None of these", newest first.

Only typed messages, never a safety route's; only their text after a second
redaction pass (staff/redact.py). An item is named by an opaque id (a keyed
hash of its message), never by its sender id.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Tuple

from staff.conversations import Conversation, Message
from staff.insights import UK, channel_name
from staff.redact import redact_again
from staff.reviews import Review, message_key
from staff.words import label_choices, words

SHOWN_CHARACTERS = 600


@dataclass
class QueueItem:
    id: str
    message: str  # the message's key in the review table (a hash)
    timestamp: float
    when: str
    channel: str
    text: str
    guess: str | None
    guess_title: str
    confidence: float
    reason: str
    review: Review | None = None


def reason_for(message: Message) -> str | None:
    counting = words()["counting"]
    if message.is_payload or message.intent in counting["safety_intents"] or not message.text.strip():
        return None
    if message.none_of_these:
        return "none_of_these"
    if message.declined:
        return "declined"
    if message.confidence < counting["unsure_below"]:
        return "unsure"
    return None


def item_id(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()[:32]


def build_queue(
    conversations: List[Conversation], secret: bytes, reviews: Dict[str, Review]
) -> Tuple[List[QueueItem], Dict[str, Tuple[str, float]]]:
    """The queue, newest first, and (kept apart, for saving a label) each item's
    sender id and time by item id."""
    titles = label_choices()
    items: List[QueueItem] = []
    where: Dict[str, Tuple[str, float]] = {}
    for conversation in conversations:
        for message in conversation.messages:
            reason = reason_for(message)
            if reason is None:
                continue
            key = message_key(message.sender_id, message.timestamp)
            ident = item_id(secret, key)
            where[ident] = (message.sender_id, message.timestamp)
            items.append(
                QueueItem(
                    id=ident,
                    message=key,
                    timestamp=message.timestamp,
                    when=datetime.fromtimestamp(message.timestamp, UK).strftime("%a %d %b %Y, %H:%M"),
                    channel=channel_name(message.channel),
                    text=redact_again(message.text)[:SHOWN_CHARACTERS],
                    guess=message.guess,
                    guess_title=titles.get(message.guess or "", message.guess or ""),
                    confidence=message.guess_confidence if message.declined else message.confidence,
                    reason=reason,
                    review=reviews.get(key),
                )
            )
    items.sort(key=lambda item: item.timestamp, reverse=True)
    return items, where


def all_message_keys(conversations: List[Conversation]) -> set:
    return {message_key(m.sender_id, m.timestamp) for c in conversations for m in c.messages}
