"""A tracker database for the staff pages' tests, in Rasa's own shapes.

Rasa's SQLTrackerStore table (events: id, sender_id, type_name, timestamp,
intent_name, action_name, data) holding events as Rasa serialises them
(Event.as_dict(); test_seed_is_what_rasa_stores checks that Rasa reads
them back unchanged). Some messages carry personal details that the first
redaction pass would have taken out, as if stored before it existed: the
staff pages' second pass must never let one through (PLANTED).

Run as a script to make one for the browser test:
  .venv/bin/python tests/staff/seed.py path/to/conversations.db
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List

import sqlalchemy as sa

DAY = 86400.0
PLANTED = [
    "Kowalska",
    "Jayden",
    "Smith",
    "07700 900123",
    "07700900123",
    "jo.bloggs@example.com",
    "jo.bloggs",
    "LS1 4AB",
    "QQ 12 34 56 C",
    "QQ123456C",
    "Priya",
    "SW1A 1AA",
    "Mustafa",
]
NONE_OF_THESE = {"title": "None of these", "payload": "/show_menu"}

metadata = sa.MetaData()
EVENTS = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def user(
    text: str, intent: str, confidence: float, ts: float, channel: str, ranking: List[tuple] | None = None
) -> dict:
    ranking = ranking or [(intent, confidence)]
    return {
        "event": "user",
        "timestamp": ts,
        "metadata": {},
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
            "message_id": None,
            "metadata": {},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        },
        "input_channel": channel,
        "message_id": None,
    }


def action(name: str, ts: float) -> dict:
    return {
        "event": "action",
        "timestamp": ts,
        "name": name,
        "policy": "RulePolicy",
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }


def bot(text: str, ts: float, buttons: List[dict] | None = None) -> dict:
    data = {
        "elements": None,
        "quick_replies": None,
        "buttons": buttons,
        "attachment": None,
        "image": None,
        "custom": None,
    }
    return {"event": "bot", "timestamp": ts, "metadata": {"utter_action": "utter_x"}, "text": text, "data": data}


def session_start(ts: float) -> List[dict]:
    return [
        {
            "event": "action",
            "timestamp": ts,
            "name": "action_session_start",
            "policy": None,
            "confidence": 1.0,
            "action_text": None,
            "hide_rule_turn": False,
        },
        {"event": "session_started", "timestamp": ts},
    ]


def answered(ts: float, text: str, intent: str, answer: str, channel: str, confidence: float = 0.93) -> List[dict]:
    return [
        user(text, intent, confidence, ts, channel),
        action(answer, ts + 1),
        bot("An answer.", ts + 2),
        action("action_listen", ts + 3),
    ]


def suggested(ts: float, text: str, guesses: List[tuple], channel: str) -> List[dict]:
    buttons = [{"title": g, "payload": f"/{g}"} for g, _ in guesses] + [NONE_OF_THESE]
    return [
        user(text, "nlu_fallback", 0.45, ts, channel, [("nlu_fallback", 0.45)] + guesses),
        action("action_suggest_topics", ts + 1),
        bot("Did you mean one of these?", ts + 2, buttons),
        action("action_listen", ts + 3),
    ]


def menu_instead(ts: float, text: str, guesses: List[tuple], channel: str) -> List[dict]:
    buttons = [{"title": "About conferences", "payload": '/show_menu{"menu_section": "basics"}'}]
    return [
        user(text, "nlu_fallback", 0.45, ts, channel, [("nlu_fallback", 0.45)] + guesses),
        action("action_suggest_topics", ts + 1),
        bot("Here are the topics.", ts + 2, buttons),
        action("action_listen", ts + 3),
    ]


@dataclass
class Seeded:
    now: float
    conversations: Dict[str, List[dict]] = field(default_factory=dict)

    @property
    def sender_ids(self) -> List[str]:
        return list(self.conversations)


def conversations(now: float, retention_days: int = 30) -> Seeded:
    """The seeded conversations, relative to ``now``."""
    s = Seeded(now)
    t = now - 1 * DAY
    s.conversations["web-4d2c9a77e1"] = session_start(t) + answered(
        t + 5, "can i bring my mum to the conference", "ask_bring_supporter", "utter_bring_supporter", "socketio"
    )
    t = now - 2 * DAY
    s.conversations["web-9b1f00c3aa"] = (
        session_start(t)
        + suggested(
            t + 5, "what does the LADO do at the meeting", [("ask_jargon", 0.31), ("ask_who_attends", 0.2)], "socketio"
        )
        + [
            user("/show_menu", "show_menu", 1.0, t + 20, "socketio"),
            action("action_show_menu", t + 21),
            bot("Choose a topic.", t + 22),
            action("action_listen", t + 23),
        ]
    )
    t = now - 3 * DAY
    sms = "3f9a1c0de7b24a56e0b1d2c3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3"
    s.conversations[sms] = (
        session_start(t)
        + suggested(
            t + 5,
            "can my sister Kowalska come with me, ring me on 07700 900123",
            [("ask_bring_supporter", 0.4)],
            "twilio",
        )
        + answered(t + 30, "/ask_bring_supporter", "ask_bring_supporter", "utter_bring_supporter", "twilio", 1.0)
    )
    t = now - 2 * DAY + 3600
    s.conversations["rest-client-77"] = session_start(t) + answered(
        t + 5,
        "my NI number is QQ 12 34 56 C, will it be written in the minutes",
        "ask_minutes_confidentiality",
        "utter_minutes_confidentiality",
        "rest",
        0.52,
    )
    t = now - 4 * DAY
    s.conversations["web-0c7e55d1f2"] = session_start(t) + suggested(
        t + 5, "email me at jo.bloggs@example.com about the core group thing", [("ask_core_group", 0.38)], "socketio"
    )
    t = now - 5 * DAY
    s.conversations["web-51aa2b0e93"] = session_start(t) + menu_instead(
        t + 5, "Jayden Smith lives at LS1 4AB with Priya and Mustafa near SW1A 1AA", [("ask_venue", 0.2)], "socketio"
    )
    t = now - 1 * DAY + 7200
    s.conversations["web-crisis-01"] = session_start(t) + answered(
        t + 5, "i cant go on, i want to end it all", "parent_in_crisis", "utter_parent_in_crisis", "socketio", 1.0
    )
    t = now - 6 * DAY
    s.conversations["web-dates-01"] = session_start(t) + [
        user("my conference is next thursday when do i get the report", "ask_dates", 0.9, t + 5, "socketio"),
        action("conference_form", t + 6),
        action("action_answer_dates", t + 7),
        bot("Your dates.", t + 8),
        action("action_listen", t + 9),
    ]
    t = now - (retention_days + 5) * DAY
    s.conversations["web-old-01"] = session_start(t) + suggested(
        t + 5, "an old message that is past retention", [("ask_venue", 0.3)], "socketio"
    )
    return s


def write(url: str, seeded: Seeded) -> None:
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for sender, events in seeded.conversations.items():
            for event in events:
                connection.execute(
                    EVENTS.insert().values(
                        sender_id=sender,
                        type_name=event["event"],
                        timestamp=event["timestamp"],
                        intent_name=(event.get("parse_data") or {}).get("intent", {}).get("name"),
                        action_name=event.get("name"),
                        data=json.dumps(event),
                    )
                )
    engine.dispose()


def seed(url: str, now: float | None = None, retention_days: int = 30) -> Seeded:
    seeded = conversations(now or time.time(), retention_days)
    write(url, seeded)
    return seeded


def noon_today() -> float:
    """Today at 12:00 UK time: seeded days stay whole days whatever the hour the tests run."""
    from datetime import datetime
    from datetime import time as clock

    from staff.insights import UK

    return datetime.combine(datetime.now(UK).date(), clock(12), UK).timestamp()


if __name__ == "__main__":
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    seed(f"sqlite:///{sys.argv[1]}", noon_today())
    print(f"Seeded {sys.argv[1]}")
