"""Explains the words in conference letters and reports."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.content import Term, content, find_terms

FOLLOW_UPS = [
    {"title": "What is a conference?", "payload": "/ask_what_is_conference"},
    {"title": "Who will be there?", "payload": "/ask_who_attends"},
    {"title": "Show all topics", "payload": "/show_menu"},
]


def explain(terms: List[Term], everything: bool) -> str:
    intro = "Here are words you may see in letters and reports:" if everything else ""
    lines = [f"{term.name}: {term.meaning}" for term in terms]
    sources = sorted({term.source for term in terms})
    ask = "If a word is not here, ask your social worker or the chair to explain it. They should."
    parts = ([intro] if intro else []) + lines + ["", ask, "", "Source: " + "; ".join(sources) + "."]
    return "\n".join(parts)


class ActionExplainJargon(Action):
    def name(self) -> Text:
        return "action_explain_jargon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        glossary = content().glossary
        found = find_terms(tracker.latest_message.get("text") or "", glossary)
        dispatcher.utter_message(text=explain(found or list(glossary), everything=not found),
                                 buttons=FOLLOW_UPS)
        return []
