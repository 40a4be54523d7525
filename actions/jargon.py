"""Explains the words in conference letters and reports.

The words and their meanings are in content/glossary.yml; what the answer
says around them is in content/jargon.yml and content/answers.yml.

Asked about no word in particular, the bot gives the whole glossary in
parts of at most 120 words (issue 18), each but the last with a "Tell me
more" button for the next part (the more_topic "jargon_2", "jargon_3"...,
answered by action_tell_me_more).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.content import Term, content, find_terms

# At most this many words in one part, not counting its source line.
MOST_WORDS = 120
_PAGE = re.compile(r"^jargon_([0-9]{1,3})$")


def page_topic(number: int) -> str:
    """The more_topic of the glossary's part ``number`` (from 2)."""
    return f"jargon_{number}"


def page_number(topic: object) -> int | None:
    """The part a more_topic asks for, or None if it is not a glossary part."""
    match = _PAGE.match(topic) if isinstance(topic, str) else None
    return int(match.group(1)) if match else None


def _line(term: Term) -> str:
    return f"{term.name}: {term.meaning}"


def _words(text: str) -> int:
    return len(text.split())


def split_glossary(terms: Sequence[Term]) -> List[List[Term]]:
    """The terms in parts that fit MOST_WORDS with their heading and the
    closing line, in the glossary's order."""
    jargon = content().jargon
    room = MOST_WORDS - _words(jargon.not_here)
    parts: List[List[Term]] = []
    used = 0
    for term in terms:
        if parts and used + _words(_line(term)) <= room:
            parts[-1].append(term)
            used += _words(_line(term))
        else:
            heading = jargon.intro if not parts else jargon.more_intro
            parts.append([term])
            used = _words(heading) + _words(_line(term))
    return parts


def _text(heading: List[str], terms: List[Term], closing: List[str]) -> str:
    sources = "; ".join(sorted({term.source for term in terms}))
    source = content().answers["source"].format(sources=sources)
    return "\n".join(heading + [_line(term) for term in terms] + closing + ["", source])


def explain(terms: List[Term]) -> str:
    """The words a parent asked about, with what to do if one is missing."""
    return _text([], terms, ["", content().jargon.not_here])


def glossary_for(nation: object) -> List[Term]:
    """The whole glossary in a nation (its own words), or every word when
    the nation is not known."""
    return [term for term in content().glossary if not isinstance(nation, str) or nation in term.nations]


def glossary_part(number: int, nation: object = None) -> Tuple[str, List[Dict[str, str]]] | None:
    """Part ``number`` (from 1) of the whole glossary in ``nation`` (the
    answer_nation slot) and its buttons, or None."""
    jargon = content().jargon
    parts = split_glossary(glossary_for(nation))
    if not 1 <= number <= len(parts):
        return None
    heading = jargon.intro if number == 1 else jargon.more_intro
    last = number == len(parts)
    text = _text([heading], parts[number - 1], ["", jargon.not_here] if last else [])
    buttons = [dict(button) for button in jargon.follow_ups]
    if not last:
        payload = "/tell_me_more" + json.dumps({"more_topic": page_topic(number + 1)}, separators=(",", ":"))
        buttons.insert(0, {"title": jargon.more_button, "payload": payload})
    return text, buttons


class ActionExplainJargon(Action):
    def name(self) -> str:
        return "action_explain_jargon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        found = find_terms(tracker.latest_message.get("text") or "", content().glossary)
        if found:
            buttons = [dict(button) for button in content().jargon.follow_ups]
            dispatcher.utter_message(text=explain(found), buttons=buttons)
            return []
        part = glossary_part(1, tracker.get_slot("answer_nation"))
        assert part is not None, "content/glossary.yml has no terms"
        text, buttons = part
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
