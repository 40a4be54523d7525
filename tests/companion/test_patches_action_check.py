"""The action server's replies are still checked after our faster check is installed."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from companion import patches
from companion.patches import validate_action_result

patches.install()  # as the Rasa server's entry point does (companion/server.py)


def action():
    return RemoteAction("action_load_profile", None)


def test_rasa_uses_our_check():
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"event": "slot", "name": "profile_loaded", "value": True}], "responses": []},
        {"events": [], "responses": [{"text": "hello"}]},
        {},
    ],
)
def test_a_good_reply_passes(reply):
    assert action()._validate_action_result(reply) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": "not a list"},
        {"events": [{"name": "no event type"}]},
        {"responses": ["not an object"]},
        [],
    ],
)
def test_a_bad_reply_is_refused_with_the_reason(reply):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(reply)


def test_patches_refuse_another_rasa_version():
    with pytest.raises(patches.UnsupportedRasaVersion, match="written for Rasa 3.6.21"):
        patches.check_rasa_version("3.7.0")
    patches.check_rasa_version("3.6.21")
