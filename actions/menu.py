"""The topic menu, and what the bot says when it is not sure what was meant.

Every title and sentence is in content/topics.yml.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import question_words, which_one_message
from actions.content import Topics, content
from actions.events import previous_bot_action


def section_buttons(topics: Topics) -> List[Dict[str, str]]:
    buttons = [
        {"title": section.title, "payload": "/show_menu" + json.dumps({"menu_section": section.key})}
        for section in topics.sections
    ]
    return buttons + [{"title": topics.talk_to_person, "payload": "/ask_for_human"}]


def topic_buttons(pairs: Iterable[Tuple[str, str]]) -> List[Dict[str, str]]:
    return [{"title": title, "payload": f"/{intent}"} for intent, title in pairs]


class ActionShowMenu(Action):
    """All topics, by section; a section's questions when one is chosen."""

    def name(self) -> str:
        return "action_show_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        topics = content().topics
        chosen: str | None = next(tracker.get_latest_entity_values("menu_section"), None)
        section = topics.section(chosen)
        if section is None:
            dispatcher.utter_message(text=topics.menu_intro, buttons=section_buttons(topics))
        else:
            back = {"title": topics.all_topics, "payload": "/show_menu"}
            dispatcher.utter_message(
                text=topics.section_intro.format(section=section.title), buttons=topic_buttons(section.topics) + [back]
            )
        return []


class ActionSuggestTopics(Action):
    """Low confidence: offer the likeliest topics instead of guessing, or, when
    the NLU found two topics too close to choose, ask which one was meant.

    A second miss in a row shows the whole menu; a message too long to guess
    at (marked by the NLU's MessageLengthGuard) gets a request to shorten it.
    """

    def name(self) -> str:
        return "action_suggest_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        topics = content().topics
        if tracker.latest_message.get("too_long"):
            dispatcher.utter_message(text=topics.too_long, buttons=section_buttons(topics))
            return []
        ranking = [
            (item.get("name"), float(item.get("confidence") or 0.0))
            for item in tracker.latest_message.get("intent_ranking") or []
        ]
        suggestions = topics.suggestions(ranking)
        missed_before = previous_bot_action(tracker.events) == self.name()
        # Two topics too close to choose between: "Do you mean X or Y?"
        which = None if missed_before else which_one_message(tracker.latest_message, topics, question_words())
        if which:
            text, buttons = which
            dispatcher.utter_message(
                text=text, buttons=buttons + [{"title": topics.none_of_these, "payload": "/show_menu"}]
            )
            return []
        if missed_before or not suggestions:
            dispatcher.utter_message(text=topics.suggest_menu_intro, buttons=section_buttons(topics))
        else:
            none = {"title": topics.none_of_these, "payload": "/show_menu"}
            dispatcher.utter_message(text=topics.suggest_intro, buttons=topic_buttons(suggestions) + [none])
        return []
