"""Patches 3-5 in companion/patches.py: Rasa's per-message framework work,
done once, with the same results as Rasa's own code."""

import logging

import pytest
from rasa.core.nlg import interpolator
from rasa.engine.graph import GraphSchema, SchemaNode
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

from companion import patches

patches.install()  # as the Rasa server's entry point does (companion/server.py)


def test_event_classes_come_from_the_table_with_rasa_s_answers(monkeypatch):
    rasa_s = Event.resolve_by_type.wrapped
    for name in ("user", "bot", "action", "slot", "session_started", "followup", "active_loop"):
        assert Event.resolve_by_type(name) is rasa_s(name)
    assert Event.resolve_by_type("slot") is SlotSet
    walks = []
    monkeypatch.setattr("rasa.shared.utils.common.all_subclasses", lambda cls: walks.append(cls) or [])
    assert Event.resolve_by_type("user") is UserUttered  # from the table: no walk
    assert walks == []


def test_unknown_names_and_defaults_are_rasa_s():
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
    assert Event.resolve_by_type("no-such-event", default=BotUttered) is BotUttered
    assert "no-such-event" not in Event.resolve_by_type.found
    assert Event.resolve_by_type("topic") is None


def test_an_event_class_defined_later_is_still_found():
    class LateEvent(ActionExecuted):
        type_name = "companion_test_late_event"

    assert Event.resolve_by_type("companion_test_late_event") is LateEvent


def test_events_read_back_from_dicts_are_the_same():
    events = [UserUttered("hi", {"name": "greet"}), SlotSet("x", 1), ActionExecuted("utter_greet")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def schema():
    def node(needs):
        return SchemaNode(needs=needs, uses=GraphSchema, fn="f", constructor_name="c", config={})

    return GraphSchema({"a": node({}), "b": node({"x": "a"}), "c": node({"x": "b"}), "d": node({})})


def test_the_minimal_schema_is_rasa_s_and_computed_once_per_targets():
    graph = schema()
    rasa_s = GraphSchema.minimal_graph_schema.wrapped
    first = graph.minimal_graph_schema(["c"])
    assert set(first.nodes) == set(rasa_s(graph, ["c"]).nodes) == {"a", "b", "c"}
    assert graph.minimal_graph_schema(["c"]) is first
    assert set(graph.minimal_graph_schema(["d"]).nodes) == {"d"}
    assert set(schema().minimal_graph_schema(["b"]).nodes) == {"a", "b"}  # another schema, its own answer


def test_json_in_a_payload_is_returned_as_it_is_without_an_error(caplog):
    payload = '/ask_dates{"milestone": "next_review"}'
    with caplog.at_level(logging.DEBUG):
        assert interpolator.interpolate_text(payload, {"name": "Sam"}) == payload
        answer = interpolator.interpolate({"text": "Hi", "buttons": [{"title": "Review", "payload": payload}]}, {})
    assert answer["buttons"][0]["payload"] == payload
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Rasa's own function gives the same text for it (after its error).
    assert interpolator.interpolate_text.wrapped(payload, {"name": "Sam"}) == payload


def test_real_slot_placeholders_are_still_filled_by_rasa():
    assert interpolator.interpolate_text("Hello {name}", {"name": "Sam"}) == "Hello Sam"
    assert interpolator.interpolate_text("Hello {{name}}", {"name": "Sam"}) == "Hello {name}"
    assert interpolator.interpolate_text("no placeholders", {}) == "no placeholders"


def test_graph_runs_give_dask_s_results_each_node_once():
    import dask

    calls = []

    def node(name):
        def run(*inputs):
            calls.append(name)
            return name, [value for _, value in inputs]

        return run

    graph = {
        "__message__": ("__message__", "hello"),  # an input, as Rasa adds them
        "tokens": (node("tokens"), "__message__"),
        "features": (node("features"), "tokens"),
        "intent": (node("intent"), "features", "tokens"),
        "unused": (node("unused"), "tokens"),
    }
    ours = patches.run_graph(graph, ["intent", "features"])
    assert calls.count("tokens") == 1 and "unused" not in calls
    calls.clear()
    assert ours == dask.get(graph, ["intent", "features"])
    assert dict(ours)["intent"] == [[["hello"]], ["hello"]]
    assert patches.run_graph(graph, "tokens") == dask.get(graph, "tokens")


def test_a_failing_node_raises_as_it_would_from_dask():
    def broken(*_):
        raise ValueError("node failed")

    graph = {"a": ("a", 1), "b": (broken, "a")}
    with pytest.raises(ValueError, match="node failed"):
        patches.run_graph(graph, ["b"])


def test_rasa_s_graph_runner_uses_the_plain_loop():
    from rasa.engine.runner import dask as dask_runner

    assert dask_runner.dask.get is patches.run_graph
