"""The figures: counts only, never a message's words.

Per day and per channel, the topics asked most, how often the bot said
"did you mean" or showed the menu instead of an answer, "None of these"
clicks, the safety routes taken, questions about dates, and how many
conversations reached an answer. Days are UK days (Europe/London).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Dict, List, Tuple

from staff.conversations import Conversation, answer_actions
from staff.words import topic_titles, words

try:
    from zoneinfo import ZoneInfo

    UK = ZoneInfo("Europe/London")
except Exception:  # no time zone data on this system: UTC days
    from datetime import timezone

    UK = timezone.utc


def day_of(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, UK).date()


def day_start(day: date) -> float:
    return datetime.combine(day, clock_time(0), UK).timestamp()


def channel_name(channel: str) -> str:
    counting = words()["counting"]
    return counting["channels"].get(channel, counting["other_channel"])


@dataclass
class Insights:
    first: date
    last: date
    days: List[date]
    channels: List[str]
    conversations: int = 0
    messages: int = 0
    typed: int = 0
    conversations_per_day: Dict[date, Counter] = field(default_factory=dict)
    messages_per_day: Dict[date, Counter] = field(default_factory=dict)
    conversations_per_channel: Counter = field(default_factory=Counter)
    messages_per_channel: Counter = field(default_factory=Counter)
    topics: List[Tuple[str, str, int]] = field(default_factory=list)
    did_you_mean: int = 0
    declined: int = 0
    none_of_these: int = 0
    safety: List[Tuple[str, str, int]] = field(default_factory=list)
    date_questions: int = 0
    dates_worked_out: int = 0
    reached_answer: int = 0

    def share(self, count: int, of: int) -> str:
        return f"{round(100 * count / of)}%" if of else "0%"

    def as_dict(self) -> dict:
        """The same figures as plain data (the public summary and the CSV)."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "conversations": self.conversations,
            "messages": self.messages,
            "typed_messages": self.typed,
            "per_day": [
                {
                    "day": day.isoformat(),
                    "conversations": dict(self.conversations_per_day[day]),
                    "messages": dict(self.messages_per_day[day]),
                }
                for day in self.days
            ],
            "per_channel": {
                channel: {
                    "conversations": self.conversations_per_channel[channel],
                    "messages": self.messages_per_channel[channel],
                }
                for channel in self.channels
            },
            "topics": [{"intent": intent, "title": title, "messages": count} for intent, title, count in self.topics],
            "did_you_mean": self.did_you_mean,
            "declined": self.declined,
            "none_of_these": self.none_of_these,
            "safety_routes": {intent: count for intent, _, count in self.safety},
            "date_questions": self.date_questions,
            "dates_worked_out": self.dates_worked_out,
            "conversations_reached_answer": self.reached_answer,
        }


def insights(conversations: List[Conversation], first: date, last: date) -> Insights:
    """The figures for the UK days ``first`` to ``last``, from conversations read for those days."""
    counting = words()["counting"]
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    channels = list(dict.fromkeys(list(counting["channels"].values()) + [counting["other_channel"]]))
    result = Insights(first, last, days, channels)
    result.conversations_per_day = {day: Counter() for day in days}
    result.messages_per_day = {day: Counter() for day in days}
    titles = topic_titles()
    safety = counting["safety_intents"]
    date_intents = set(counting["date_intents"])
    answers = answer_actions()
    topics: Counter = Counter()
    safety_counts: Counter = Counter()
    for conversation in conversations:
        messages = [m for m in conversation.messages if first <= day_of(m.timestamp) <= last]
        if not messages:
            continue
        result.conversations += 1
        result.conversations_per_channel[channel_name(messages[0].channel)] += 1
        seen_days = set()
        for message in messages:
            day, channel = day_of(message.timestamp), channel_name(message.channel)
            result.messages += 1
            result.messages_per_day[day][channel] += 1
            result.messages_per_channel[channel] += 1
            if day not in seen_days:
                seen_days.add(day)
                result.conversations_per_day[day][channel] += 1
            if message.intent in titles:
                topics[message.intent] += 1
            if message.intent in safety:
                safety_counts[message.intent] += 1
            if message.intent in date_intents and not message.is_payload:
                result.date_questions += 1
            result.dates_worked_out += message.actions.count(counting["dates_answer_action"])
            result.none_of_these += message.none_of_these
            if not message.is_payload:
                result.typed += 1
                if message.declined and message.offered_suggestions:
                    result.did_you_mean += 1
                elif message.declined:
                    result.declined += 1
        if any(action in answers for message in messages for action in message.actions):
            result.reached_answer += 1
    result.topics = [(intent, titles[intent], count) for intent, count in topics.most_common(counting["top_topics"])]
    result.safety = [(intent, label, safety_counts[intent]) for intent, label in safety.items()]
    return result
