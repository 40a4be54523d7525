"""Driving our Rasa actions with rasa-sdk's own Tracker and dispatcher."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(text="", intent=None, ranking=(), entities=(), events=(), slots=None, **extra):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.3},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": list(entities),
        **extra,
    }
    return Tracker("parent-1", slots or {}, latest, list(events), False, None, {}, "action_listen")


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages, events


def user(text):
    return {"event": "user", "text": text}


def bot_action(name):
    return {"event": "action", "name": name}
