"""Checks the action server's replies with a JSON-schema validator built once.

Rasa 3.6 checks every reply from the action server against its schema with
`jsonschema.validate`, which first re-checks the schema itself and builds a
new validator. With the jsonschema Rasa pins (4.17) that took about 60 % of
the Rasa server's time per message in `make bench` (py-spy), because every
message calls one custom action (the profile's slot mapping). The check here
is the same schema and the same error; only the validator is kept.

`install()` is called when this package is imported (conference_nlu/__init__),
which Rasa does at start-up for our NLU components and channels.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for


@lru_cache(maxsize=1)
def _validator():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your "
                      "response from the Action endpoint is valid.")
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result


__all__ = ["install", "validate_action_result"]
