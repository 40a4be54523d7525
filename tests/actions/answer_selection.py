"""Which variation of a response Rasa sends, for a channel and a set of slots.

The same order as Rasa 3.6's ResponseVariationFilter: conditional variations
for the channel, then plain ones for the channel, then conditional ones for
any channel, then plain ones. Rasa picks at random among those that match,
so more than one match is an error here (tests/actions/test_nations.py).
"""

from typing import Dict, List

from domain_files import merged_domain

from actions.content import content
from actions.profile import current_profile
from actions.signposts import profile_slots

DOMAIN = merged_domain()
NATIONS = ("england", "wales", "scotland", "northern_ireland")


def slot_states() -> Dict[str, dict]:
    """No profile yet, and the example profile in each nation."""
    filled = dict(profile_slots(current_profile(), content().helplines), profile_loaded=True)
    states = {"no profile": {}}
    for nation in NATIONS:
        states[nation] = dict(filled, answer_nation=nation)
    return states


def _matches(variation: dict, slots: dict) -> bool:
    return all(slots.get(condition["name"]) == condition["value"] for condition in variation.get("condition") or [])


def candidates(name: str, channel: str | None, slots: dict) -> List[dict]:
    variations = DOMAIN["responses"][name]
    conditional = [v for v in variations if v.get("condition") and _matches(v, slots)]
    plain = [v for v in variations if not v.get("condition")]
    for group in (
        [v for v in conditional if v.get("channel") == channel],
        [v for v in plain if v.get("channel") == channel],
        [v for v in conditional if v.get("channel") is None],
        [v for v in plain if v.get("channel") is None],
    ):
        if group:
            return group
    return []


def chosen(name: str, channel: str | None, slots: dict) -> dict:
    found = candidates(name, channel, slots)
    assert len(found) == 1, f"{name}: {len(found)} variations match {channel} {sorted(slots)[:3]}..."
    return found[0]


def filled(text: str, slots: dict) -> str:
    """The text with the profile's values in, as Rasa fills them."""
    out = text
    for key, value in slots.items():
        out = out.replace("{" + key + "}", "" if value is None else str(value))
    return out
