"""After the answer to a message that asked two things, offer the second.

QuestionTopics (companion/nlu/topic_components.py) puts the second topic in
the message as `also_asked`. Rules answer the main topic as usual; then this
policy picks `action_offer_also_asked` (actions/also_asked.py: "You also
asked about ..." with the topic's button), once, before the bot listens.

`should_offer` is the plain decision; the policy around it is thin glue.
Without `also_asked` it predicts nothing, so every other conversation is
left to the rules.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

OFFER = "action_offer_also_asked"
# Date questions start the conference form, which may ask for the date first;
# action_answer_dates offers the second topic after the dates instead
# (actions/conference_form.py: other_question).
NOT_AFTER = {
    "nlu_fallback",
    "child_in_danger",
    "parent_in_crisis",
    "delete_my_conversation",
    "ask_dates",
    "give_conference_details",
}


def should_offer(events: Sequence[Dict[str, Any]], active_loop: str | None, offer: str = OFFER) -> bool:
    """events: the conversation's events as dicts (oldest first). True when
    the latest message asked a second topic, the bot has just answered it
    (an action ran since the message) and has not offered it yet."""
    if active_loop:
        return False
    since: List[Dict[str, Any]] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        since.append(event)
    else:
        return False
    parse = event.get("parse_data") or {}
    also = (parse.get("also_asked") or {}).get("name")
    intent = (parse.get("intent") or {}).get("name")
    if not also or also == intent or intent in NOT_AFTER:
        return False
    actions = [e.get("name") for e in since if e.get("event") == "action"]
    return bool(actions) and offer not in actions and actions[0] != "action_listen"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class AlsoAskedPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6), so the offer comes before the rules' action_listen.
        return {"priority": 7, "action": OFFER}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AlsoAskedPolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, rule_only_data: Dict[str, Any] | None = None, **kwargs: Any
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        action = self.config["action"]
        if action in domain.action_names_or_texts:
            events = [event.as_dict() for event in tracker.events_after_latest_restart()[-30:]]
            if should_offer(events, tracker.active_loop_name, action):
                result[domain.index_for_action(action)] = 1.0
        return self._prediction(result)
