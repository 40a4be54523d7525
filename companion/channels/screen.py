"""Rasa and Sanic glue for companion/channels/guard.py: the server-wide body
limit and log redaction, set up when a channel's blueprint is registered,
and each message screened with what the conversation has offered."""

from __future__ import annotations

import logging
from typing import Any, Dict

from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic

from companion import logs
from companion.channels import guard

logger = logging.getLogger(__name__)


def configure_app(app: Sanic) -> None:
    """Bounds every request to the server (Rasa's API too) and redacts every
    log handler once the server starts (Rasa and Sanic add theirs before)."""
    app.config.REQUEST_MAX_SIZE = guard.MAX_BODY_BYTES
    if not getattr(app.ctx, "companion_logs", False):
        app.ctx.companion_logs = True
        logs.install()

        async def redact_logs(*_: Any) -> None:
            logs.install()

        app.register_listener(redact_logs, "before_server_start")


class GuardedBlueprint(Blueprint):
    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        configure_app(app)
        super().register(app, options)


class GuardedSocketBlueprint(SocketBlueprint):
    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        configure_app(app)
        self.ctx.app = app
        super().register(app, options)


def innermost(store: Any) -> Any:
    """Our tracker store, inside the wrappers Rasa puts around it."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def conversation_exists(store: Any, sender: str) -> bool:
    has = getattr(innermost(store), "has_conversation", None)
    if has is not None:
        return bool(has(sender))
    tracker = await store.retrieve(sender)
    return tracker is not None and bool(tracker.events)


async def screened(text: str, sender: str, agent: Any) -> str:
    """The message as the bot takes it: cut to size, payloads screened."""
    text = guard.cut(text)
    if not text.strip().startswith("/"):
        return text
    offered = []
    if guard.needs_offered(text):
        tracker = await agent.tracker_store.retrieve(sender)
        offered = guard.offered_payloads(tracker.events) if tracker is not None else []
    intents = agent.domain.intents if agent.domain is not None else []
    screened_text = guard.screen_payload(text, offered, intents)
    if screened_text != text.strip():
        logger.info("A typed payload was not taken as it was (only buttons the bot offered are).")
    return screened_text
