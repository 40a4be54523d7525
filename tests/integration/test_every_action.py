"""Every custom action in the domain, run by Rasa 3.6's own client code against
the action server `make run` starts (rasa-sdk from .venv-actions).

Rasa's RemoteAction makes the same request the Rasa server makes (with
endpoints.yml's selective domain and companion/patches.py's domain handshake)
and checks the reply with the same schema, so a change in rasa-sdk's
protocol (the request it accepts, the reply it gives) fails here, action by
action. The conversations in the other tests run them through the Rasa
server itself.
"""

import asyncio
import datetime
import json
import urllib.request

import pytest
import yaml
from conftest import ROOT
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from companion import patches

patches.install()  # as the Rasa server's entry point does (companion/server.py)

DOMAIN = Domain.load(str(ROOT / "domain"))
CUSTOM_ACTIONS = sorted(
    name for name in DOMAIN.user_actions if not name.startswith("utter_") and name not in DOMAIN.form_names
)


# A parent who has given the conference's date, kind and nation, the state
# in which every action may run (action_ask_conference_date_confirmed, for
# one, is only predicted once there is a date to confirm).
DAY = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
FILLED = {
    "conference_date": DAY,
    "confirmed_date": DAY,
    "conference_time": "10:00",
    "conference_kind": "initial",
    "conference_nation": "england",
}


def registered_actions(actions_url):
    with urllib.request.urlopen(f"{actions_url}/actions", timeout=10) as response:
        return sorted(item["name"] for item in json.loads(response.read()))


def run_action(actions_url, name, text):
    """Runs one custom action as the Rasa server would, after the parent says ``text``."""
    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"]
    assert settings["enable_selective_domain"] is True
    endpoint = EndpointConfig(f"{actions_url}/webhook", enable_selective_domain=True)
    events = [
        ActionExecuted("action_listen"),
        UserUttered(text, intent={"name": "greet", "confidence": 1.0}),
        *(SlotSet(slot, value) for slot, value in FILLED.items()),
    ]
    tracker = DialogueStateTracker.from_events(f"every-action-{name}", events, slots=DOMAIN.slots)
    output = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return asyncio.run(RemoteAction(name, endpoint).run(output, nlg, tracker, DOMAIN))


def test_the_action_server_has_every_custom_action_of_the_domain(servers):
    assert len(CUSTOM_ACTIONS) >= 10
    assert registered_actions(servers["actions"]) == CUSTOM_ACTIONS


@pytest.mark.parametrize("name", CUSTOM_ACTIONS)
def test_each_custom_action_runs_and_its_reply_passes_rasa_s_check(servers, name):
    result = run_action(servers["actions"], name, "hello")
    assert all(isinstance(event, Event) for event in result)
    log = servers["actions_log"].read_text()
    assert "Traceback" not in log and "Exception occurred" not in log, log[-3000:]
