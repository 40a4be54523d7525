"""Explains the words in conference letters and reports.

The words and their meanings are in content/glossary.yml; what the answer
says around them is in content/jargon.yml and content/answers.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.content import Term, content, find_terms


def explain(terms: List[Term], everything: bool) -> str:
    jargon, answers = content().jargon, content().answers
    lines = [f"{term.name}: {term.meaning}" for term in terms]
    sources = "; ".join(sorted({term.source for term in terms}))
    parts = (
        ([jargon.intro] if everything else [])
        + lines
        + ["", jargon.not_here, "", answers["source"].format(sources=sources)]
    )
    return "\n".join(parts)


class ActionExplainJargon(Action):
    def name(self) -> str:
        return "action_explain_jargon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        glossary = content().glossary
        found = find_terms(tracker.latest_message.get("text") or "", glossary)
        dispatcher.utter_message(
            text=explain(found or list(glossary), everything=not found),
            buttons=[dict(button) for button in content().jargon.follow_ups],
        )
        return []
