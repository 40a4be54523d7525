"""A bounded load generator: simulated parents talking to the bot over REST.

    .venv/bin/python bench/bench_load.py URL [--parents 20] [--messages 400] [--long 200]

Each simulated parent plays a realistic conversation (FAQ questions, the date
questions with a date read back and confirmed, short text-message style
replies), one message after the reply to the last, until --messages have
been sent in all. Then one parent sends --long messages in one conversation,
to show how the time per message changes as a conversation grows.

Prints messages per second, p50/p95/p99 latency and errors, and writes the
same figures as JSON (--json). Ends by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Dict, List

import aiohttp


def script() -> List[str]:
    day = date.today() + timedelta(days=21)
    return [
        "hello",
        "what is a child protection conference",
        "can i bring my mum with me",
        "when do i get the report",
        f"{day.day}/{day.month}/{day.year}",
        "yes",
        "what happens at the meeting",
        "can i ask for a break",
        "wot is a core group",
        "what are all my dates",
        "first one",
        "thanks",
        "how do i complain",
        "bye",
    ]


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


# sender -> the conversation token the bot gave with that conversation's first reply.
TOKENS: Dict[str, str] = {}


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, may_be_silent: bool = False, message_id: str = ""
) -> float:
    """Milliseconds until the reply. Our bot must always answer, so an empty
    reply is an error unless may_be_silent (Rasa's stock assistant sometimes
    chooses to say nothing, which is still a handled message). A message_id
    goes in the metadata, as the widget sends it (a resend is handled once)."""
    started = time.perf_counter()
    body: Dict[str, object] = {"sender": sender, "message": text}
    if message_id:
        body["metadata"] = {"message_id": message_id}
    if sender in TOKENS:  # our bot gives each conversation a token with its first reply
        body["token"] = TOKENS[sender]
    async with session.post(
        f"{url}/webhooks/rest/webhook", json=body, timeout=aiohttp.ClientTimeout(total=60)
    ) as reply:
        if reply.headers.get("X-Conversation-Token"):
            TOKENS[sender] = reply.headers["X-Conversation-Token"]
        answer = await reply.json()
        if reply.status != 200 or not (answer or may_be_silent):
            raise RuntimeError(f"status {reply.status}, {len(answer or [])} messages")
    return (time.perf_counter() - started) * 1000


async def load(url: str, parents: int, messages: int) -> Dict[str, object]:
    latencies: List[float] = []
    errors: List[str] = []
    budget = {"left": messages}
    lines = script()

    async def parent(session):
        while budget["left"] > 0:
            sender = "bench-" + uuid.uuid4().hex
            for text in lines:
                if budget["left"] <= 0:
                    return
                budget["left"] -= 1
                try:
                    latencies.append(await send(session, url, sender, text))
                except Exception as error:  # counted, reported, and the run goes on
                    errors.append(str(error))

    connector = aiohttp.TCPConnector(limit=parents)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(parent(session) for _ in range(parents)))
        seconds = time.perf_counter() - started
    return {
        "parents": parents,
        "messages": len(latencies) + len(errors),
        "errors": len(errors),
        "seconds": round(seconds, 2),
        "per_second": round((len(latencies)) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "first_errors": errors[:3],
    }


async def long_conversation(url: str, count: int) -> Dict[str, float]:
    """Time per message at points along one long conversation (median of 5 around each)."""
    questions = [
        "what is a core group",
        "can i ask for a break",
        "who will be at the meeting",
        "what is a cp plan",
        "thanks",
    ]
    sender = "bench-long-" + uuid.uuid4().hex
    times: List[float] = []
    async with aiohttp.ClientSession() as session:
        for n in range(count):
            times.append(await send(session, url, sender, questions[n % len(questions)]))
    marks = [m for m in (1, 10, 50, 100, 200, 400) if m <= count]
    return {f"message_{m}_ms": round(statistics.median(times[max(0, m - 3) : m + 2]), 1) for m in marks}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--parents", type=int, default=20)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--long", type=int, default=200)
    parser.add_argument("--label", default="")
    parser.add_argument("--json")
    args = parser.parse_args()
    result = asyncio.run(load(args.url, args.parents, args.messages))
    result["growth"] = asyncio.run(long_conversation(args.url, args.long)) if args.long else {}
    result["label"] = args.label
    print(
        f"{args.label or args.url}: {result['messages']} messages from {result['parents']} parents, "
        f"{result['per_second']}/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {result['errors']}"
    )
    if result["growth"]:
        print(
            "  one conversation, time per message: "
            + ", ".join(f"#{k.split('_')[1]} {v} ms" for k, v in result["growth"].items())
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
