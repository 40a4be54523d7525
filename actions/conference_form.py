"""Rasa glue for the parent's own dates: the conference form and the answers.

The form asks for what is missing: the conference date (confirmed back in
words), whether it is a first conference or a review (only when the answer
depends on it) and the nation (only when the profile covers several). The
date engine lives in actions.your_dates; every word in content/dates.yml.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import your_dates as yd
from actions.also_asked import also_asked_message, question_words
from actions.content import content
from actions.profile import NATIONS, current_profile

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
KINDS = ("initial", "review", "pre_birth")
# The words of a date that is not on the calendar are said back only when
# they look like a date ("31st February"): never markup, a link, or a speech.
ECHOABLE = re.compile(r"[A-Za-z0-9 ,./'’\-]{1,40}")
# The channel whose widget draws the timeline from a custom payload.
WIDGET_CHANNELS = ("socketio",)
# Channels that get the structured timeline too, after the text list.
DATA_CHANNELS = ("rest",)


def latest_intent(tracker: Tracker) -> str | None:
    """The intent the NLU gave the latest message (the safety check's, if it routed it)."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def today() -> date:
    return datetime.now(LONDON).date()


def _meeting(tracker: Tracker) -> str:
    nation = tracker.get_slot("conference_nation")
    return yd.timescales_for(current_profile(), nation).meeting


def known_dates(tracker: Tracker) -> yd.YourDates | None:
    """The parent's dates, when the date is confirmed; None before that."""
    day, problem = yd.check_conference_date(tracker.get_slot("conference_date"), today())
    if problem or day is None or tracker.get_slot("confirmed_date") != day.isoformat():
        return None
    kind = tracker.get_slot("conference_kind")
    start = tracker.get_slot("conference_time")
    return yd.work_out(
        current_profile(),
        day,
        kind if kind in KINDS else "initial",
        today(),
        nation=tracker.get_slot("conference_nation"),
        start=time.fromisoformat(start) if start else None,
    )


# ------------------------------------------------------------------ the form
class ValidateConferenceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_conference_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        profile = current_profile()
        needed = ["conference_date", "conference_date_confirmed"]
        if len(profile.nations) > 1:
            needed.append("conference_nation")
        asked = tracker.get_slot("asked_dates") or []
        nation = tracker.get_slot("conference_nation")
        if yd.kind_matters(asked, yd.timescales_for(profile, nation if nation in NATIONS else None)):
            needed.append("conference_kind")
        return needed

    def validate_conference_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        words = yd.date_words().problems
        invalid = next(tracker.get_latest_entity_values("invalid_date"), None)
        day, problem = yd.check_conference_date(value, today())
        if problem == "no_date" and invalid and ECHOABLE.fullmatch(invalid):
            dispatcher.utter_message(text=words["not_a_real_date"].format(words=invalid))
        elif problem:
            dispatcher.utter_message(
                text=words[problem].format(
                    date=yd.in_words(datetime.fromisoformat(value).date()) if problem != "no_date" else ""
                )
            )
        if problem or day is None:
            return {"conference_date": None, "conference_time": None}
        iso = day.isoformat()
        if tracker.get_slot("confirmed_date") == iso:
            return {"conference_date": iso}
        # A new date: it is confirmed back before anything is worked out.
        return {"conference_date": iso, "conference_date_confirmed": None, "confirmed_date": None}

    def validate_conference_date_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if latest_intent(tracker) not in ("affirm", "deny"):
            # Checked again when the form starts: a "yes" stands only for
            # the date it was said to, not for a date given since.
            confirmed = tracker.get_slot("confirmed_date") == tracker.get_slot("conference_date")
            return {"conference_date_confirmed": True if confirmed else None}
        if next(tracker.get_latest_entity_values("date"), None):
            return {}  # "no, it's the 4th": the new date is checked and confirmed instead
        if value is True:
            return {"conference_date_confirmed": True, "confirmed_date": tracker.get_slot("conference_date")}
        return {
            "conference_date": None,
            "conference_date_confirmed": None,
            "confirmed_date": None,
            "conference_time": None,
        }

    def validate_conference_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"conference_kind": value if value in KINDS else None}

    def validate_conference_nation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        value = str(value or "").lower().replace(" ", "_")
        nation = value if value in current_profile().nations else None
        # The fixed answers use this nation's words from now on (answer_nation).
        return {"conference_nation": nation, "answer_nation": nation} if nation else {"conference_nation": None}


def _button(title: str, payload: str) -> Dict[str, str]:
    return {"title": title, "payload": payload}


class ActionAskConferenceDate(Action):
    def name(self) -> str:
        return "action_ask_conference_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        words = yd.date_words()
        dispatcher.utter_message(
            text=words.questions["ask_date"].format(meeting=_meeting(tracker)),
            buttons=[_button(words.buttons["not_now"], "/deny")],
        )
        return []


class ActionAskConferenceDateConfirmed(Action):
    def name(self) -> str:
        return "action_ask_conference_date_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        words = yd.date_words()
        day = datetime.fromisoformat(tracker.get_slot("conference_date")).date()
        start = tracker.get_slot("conference_time")
        when = yd.at_time(yd.in_words(day), time.fromisoformat(start) if start else None, words)
        dispatcher.utter_message(
            text=words.questions["confirm_date"].format(conference=when),
            buttons=[_button(words.buttons["confirm_yes"], "/affirm"), _button(words.buttons["confirm_no"], "/deny")],
        )
        return []


class ActionAskConferenceKind(Action):
    def name(self) -> str:
        return "action_ask_conference_kind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        words = yd.date_words()
        buttons = [
            _button(words.buttons[f"kind_{kind}"], f'/give_conference_details{{"conference_kind":"{kind}"}}')
            for kind in KINDS
        ]
        dispatcher.utter_message(text=words.questions["ask_kind"].format(meeting=_meeting(tracker)), buttons=buttons)
        return []


class ActionAskConferenceNation(Action):
    def name(self) -> str:
        return "action_ask_conference_nation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        words = yd.date_words()
        buttons = [
            _button(words.buttons[f"nation_{n}"], f'/give_conference_details{{"nation":"{n}"}}')
            for n in current_profile().nations
        ]
        meeting = words.questions["any_meeting"]
        dispatcher.utter_message(text=words.questions["ask_nation"].format(meeting=meeting), buttons=buttons)
        return []


# --------------------------------------------------------------- the answers
class ActionRememberDateQuestion(Action):
    """Notes which dates the parent asked about, before the form asks anything."""

    def name(self) -> str:
        return "action_remember_date_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Giving the date (with no question) asks for the whole timeline.
        named = []
        if latest_intent(tracker) == "ask_dates":
            named = list(tracker.latest_message.get("milestones") or []) + list(
                tracker.get_latest_entity_values("milestone")
            )
        asked = yd.asked_keys(named, tracker.get_slot("conference_kind"))
        if not named and _only_a_time(tracker):
            # "It starts at 11" after "what time should I get there?": the question stands.
            asked = list(tracker.get_slot("asked_dates") or [])
        events: List[EventType] = [SlotSet("asked_dates", asked)]
        # A date question found inside a message about something else, or a
        # second topic the NLU found (`also_asked`): offered after the dates
        # (action_answer_dates), once the form has what it needs.
        latest = tracker.latest_message
        other = (latest.get("date_question") or {}).get("classifier_intent") or (latest.get("also_asked") or {}).get(
            "name"
        )
        if other in ("ask_dates", "give_conference_details"):
            other = None
        if other or tracker.get_slot("other_question"):
            events.append(SlotSet("other_question", other))
        return events


def _only_a_time(tracker: Tracker) -> bool:
    return bool(next(tracker.get_latest_entity_values("time"), None)) and not next(
        tracker.get_latest_entity_values("date"), None
    )


class ActionAnswerDates(Action):
    """The dates asked about, or all of them; the rules alone if no date is known."""

    def name(self) -> str:
        return "action_answer_dates"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        self._answer(dispatcher, tracker)
        return _offer_other_question(dispatcher, tracker)

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        words = yd.date_words()
        dates = known_dates(tracker)
        asked = yd.asked_keys(tracker.get_slot("asked_dates") or [], tracker.get_slot("conference_kind"))
        if dates is None:
            profile = current_profile()
            timescales = yd.timescales_for(profile, tracker.get_slot("conference_nation"))
            dispatcher.utter_message(text=yd.rules_answer(timescales, asked, words))
            return
        channel = tracker.get_latest_input_channel()
        if not asked:
            # The payload (and its calendar file) only for channels that use it.
            if channel in WIDGET_CHANNELS:
                # Rasa's socketio channel emits the "data" part as the message.
                dispatcher.utter_message(json_message={"data": yd.timeline_payload(dates, words)})
                return
            dispatcher.utter_message(text=yd.timeline_answer(dates, words))
            if channel in DATA_CHANNELS:
                dispatcher.utter_message(json_message=yd.timeline_payload(dates, words))
            return
        for key in asked:
            dispatcher.utter_message(text=yd.single_answer(dates, key, words) or yd.no_rule_answer(dates, key, words))


def _offer_other_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """ "You also asked: ..." with its button, once, for the question that came
    with the date question ("... and I haven't had the report")."""
    other = tracker.get_slot("other_question")
    if not other:
        return []
    offer = also_asked_message({"also_asked": {"name": other}}, content().topics, question_words())
    if offer:
        text, buttons = offer
        dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet("other_question", None)]


class ActionOfferChaseMessage(Action):
    """After "I haven't got the report": a message to copy, if it is now late."""

    def name(self) -> str:
        return "action_offer_chase_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dates = known_dates(tracker)
        text = yd.missed_right(dates, "reports") if dates else None
        if text:
            dispatcher.utter_message(text=text)
        return []
