"""The readiness check (companion/readiness.py): ready only when the model reads a message."""

import asyncio

from companion.readiness import model_answers


class Agent:
    def __init__(self, ready=True, intent="greet", error=None):
        self.ready, self.intent, self.error, self.asked = ready, intent, error, []

    def is_ready(self):
        return self.ready

    async def parse_message(self, text):
        self.asked.append(text)
        if self.error:
            raise self.error
        return {"text": text, "intent": {"name": self.intent, "confidence": 0.9}}


def test_ready_only_when_the_model_gives_an_intent():
    agent = Agent()
    assert asyncio.run(model_answers(agent)) is True
    assert agent.asked == ["hello"]
    assert asyncio.run(model_answers(Agent(ready=False))) is False
    assert asyncio.run(model_answers(Agent(intent=None))) is False
    assert asyncio.run(model_answers(Agent(error=RuntimeError("model broken")))) is False
    assert asyncio.run(model_answers(None)) is False
