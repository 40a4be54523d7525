"""Every change this project makes to Rasa's internals, in one place.

Each was written for, and checked against, Rasa Open Source 3.6.21:
`install()` refuses to run on any other version, with a clear message, so an
upgrade makes someone look at them again. They are installed explicitly by
`python -m companion.server` (the Rasa server's entry point), never as a
side effect of importing a module.

1. The action server's replies are checked with a JSON-schema validator
   built once. Rasa 3.6 checks every reply with `jsonschema.validate`,
   which re-checks the schema and builds a new validator each time; every
   message calls one custom action (the profile's slot mapping), so this
   was most of the server's time per message (docs/performance.md). Same
   schema, same error; only the validator is kept.
2. The profile's slots are asked of the action server at most every five
   minutes. They are the same for every conversation and change only when
   the action server restarts with a new profile.yml, so this process keeps
   the last complete answer for REFRESH_SECONDS and gives each conversation
   only the slots whose value differs. While the action server cannot be
   reached it asks with every message, as Rasa would.
3. An event's class is found by its type name from a table, not by walking
   every subclass of Event. Rasa 3.6 walks the whole class hierarchy
   (rasa.shared.utils.common.all_subclasses) for every event it reads back
   from the conversation store: 3.5 % of the server's samples under load
   (py-spy, 20 parents, docs/performance.md). A name not in the table still
   takes Rasa's walk, so event classes defined later are found as before.
4. A graph's minimal schema for the same targets is computed once. Rasa
   recomputes it (a recursive walk of the graph) at every graph run, twice
   a message; small (0.2 %), but the graph never changes after loading.
5. A button payload with JSON entities ('/ask_dates{"milestone": ...}') is
   not treated as a slot placeholder. Rasa 3.6 tries, fails, logs an error
   with a traceback, and returns the text unchanged; this returns it
   unchanged without the error. A text with a real {slot} is left to Rasa.
7. A graph run computes its nodes with a plain loop instead of dask's
   scheduler. Rasa builds a dask graph (each node a task) and runs it with
   dask.get twice a message; dask's bookkeeping around the tasks (ordering,
   its state machine) was about 6 % of the server's samples under load. The
   same tasks run, each once, in dependency order; errors pass through as
   they would from dask.get. Installed in the Rasa server only (`rasa train`
   keeps dask).
6. The safety net's note: when only a weak signal found danger in a message
   (SafetyCheckComponent in companion/nlu/components.py), one line with 999
   (content/safety_net.yml) is sent before whatever answers the message.
8. A trained model's domain is read once at start-up. Rasa reads the
   domain.yml it persisted in the model four times (is it a domain file?,
   its schema checked, read, read again), about 1.2 s of a start's CPU
   (cProfile, docs/performance.md) and more under load, when a restarted
   replica must be back within 30 s. The domain was checked when the model
   was trained; for that one file this reads it once and builds the Domain
   as Rasa's Domain.from_directory does (from_dict of the file's contents).
   Any other folder is left to Rasa.
9. The action server's domain handshake. rasa-sdk 3.11 and later (every
   rasa-sdk that runs on Python 3.12 or newer) keep the domain the action
   server was last sent, named by a digest, and answer 449 to a call that
   carries neither the domain nor the digest of the one they keep. Rasa 3.6
   sends no digest, and with `enable_selective_domain` (both endpoints
   files) no domain to most actions, so every such call failed. Each call
   now carries the domain's digest (its fingerprint, computed once per
   domain); on a 449 the same call is made once more with the whole domain,
   which the action server then keeps. Rasa's request is otherwise
   unchanged, and rasa-sdk 3.6 ignores the extra key.
10. Sanic's websocket reads on Python 3.11. Sanic 21.12 (Rasa 3.6.21's pin)
   reads a websocket message with `asyncio.wait((future, coroutine))`;
   Python 3.11 no longer accepts coroutines there (TypeError), so every
   socket.io connection over a websocket failed with "Invalid response type
   None" and the widget got no replies. Inside Sanic's websocket module,
   `asyncio.wait` now turns coroutines into tasks first, as Python 3.10 did
   itself (and as Sanic 22 does); futures pass through unchanged, so Sanic's
   `done_task is self.recv_cancel` check still holds.
11. The NLU off the event loop, only with CC_NLU_THREAD=1. Rasa reads a
   message (the NLU graph: the sentence model, the safety net...) on the
   event loop, so every other parent's turn waits until it is done, and a
   turn that calls the action server goes to the back of the queue each
   time. With the switch, the graph runs in one worker thread (so the NLU
   steps still never read two messages at once; nothing else runs them)
   while the loop carries on. Measured (docs/performance.md, round 5): a
   flatter wait (p95 and p99 down, the median up) for about 10 % more CPU
   a message (the two threads share the GIL), so fewer messages a second.
   Off by default.
12. The loaded model is kept out of the garbage collector's full passes.
   Once the model has loaded, everything then alive (Rasa, TensorFlow,
   spaCy, the model: millions of objects that live as long as the process)
   is moved to the collector's permanent generation (`gc.freeze`). Under
   load a full pass walked all of them, about 180 ms with the server doing
   nothing else, every few seconds: a stall every parent waiting at that
   moment felt (docs/performance.md, round 5). Objects made afterwards
   (conversations, messages) are collected as before.
13. A few messages at a time: at most CC_MESSAGES_AT_ONCE (3 unless set;
   0 turns it off). Rasa starts every message as it arrives, and a turn
   that waits for the action server goes to the back of the event loop's
   queue each time it is answered, behind every other parent's reading:
   under load the turns with several calls (a date question) waited a
   second or more while others got through. Here at most N messages are
   handled at once and the rest wait their turn in order of arrival, so
   the wait is shared evenly: p95 and p99 down, the median up (docs/
   performance.md, round 5: with N = 3 the throughput held and the p95 for
   20 parents fell below the stock assistant's in the same run). A message
   waits at most PATIENCE seconds for its turn and then goes ahead anyway,
   so a hung action server holding every turn slows parents by that much,
   never stops them.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Set, Tuple

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.shared.core.events import Event, SlotSet

WRITTEN_FOR = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one these patches were written for."""


def check_rasa_version(installed: str | None = None) -> None:
    if installed is None:
        from rasa.version import __version__ as rasa_version

        installed = rasa_version
    if installed != WRITTEN_FOR:
        raise UnsupportedRasaVersion(
            f"companion/patches.py was written for Rasa {WRITTEN_FOR}, but Rasa {installed} is "
            f"installed. Check each patch against the new Rasa's code, then update WRITTEN_FOR."
        )


# ------------------------------------------------- 1. action server replies
@lru_cache(maxsize=1)
def _validator():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self, result: Dict[str, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid."
    )
    raise error


# --------------------------------------------------- 2. the profile's slots
PROFILE_ACTION = "action_load_profile"
LOADED_SLOT = "profile_loaded"
REFRESH_SECONDS = 300.0


class ProfileValues:
    """The profile's slot values as the action server last gave them."""

    def __init__(self, refresh: float = REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh, self.clock = refresh, clock
        self.values: Dict[str, Any] | None = None
        self.read_at = 0.0

    def fresh(self) -> bool:
        return self.values is not None and self.clock() - self.read_at < self.refresh

    def keep(self, events: List[Event]) -> None:
        """Keeps a complete, successful answer (profile_loaded set to True)."""
        values = {event.key: event.value for event in events if isinstance(event, SlotSet)}
        if values.get(LOADED_SLOT) is True:
            self.values, self.read_at = values, self.clock()

    def changes_for(self, tracker: Any) -> List[Event]:
        return [SlotSet(name, value) for name, value in (self.values or {}).items() if tracker.get_slot(name) != value]


Execute = Callable[..., Awaitable[Tuple[List[Event], Set[str]]]]
Parse = Callable[..., Awaitable[Dict[str, Any]]]


def from_kept_profile(execute: Execute, profile: ProfileValues) -> Execute:
    """Wraps ActionExtractSlots._execute_custom_action."""

    async def wrapper(
        self: Any, mapping: dict, executed: Set[str], output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> Tuple[List[Event], Set[str]]:
        if mapping.get("action") != PROFILE_ACTION or PROFILE_ACTION in executed:
            return await execute(self, mapping, executed, output_channel, nlg, tracker, domain)
        if not profile.fresh():
            events, executed = await execute(self, mapping, executed, output_channel, nlg, tracker, domain)
            profile.keep(events)
            if not profile.fresh():  # the action server could not be asked: as Rasa would
                return events, executed
        executed.add(PROFILE_ACTION)
        return profile.changes_for(tracker), executed

    wrapper.wrapped = execute  # type: ignore[attr-defined]
    return wrapper


# ------------------------------------------------- 3. event classes by name
def event_class_finder(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps Event.resolve_by_type (a staticmethod) with a table of the
    classes it has found. Misses, unknown names and defaults go to Rasa."""
    found: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any | None = None) -> Any | None:
        cls = found.get(type_name)
        if cls is None:
            cls = resolve(type_name, default)
            if cls is not None and cls is not default and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    resolve_by_type.wrapped = resolve  # type: ignore[attr-defined]
    resolve_by_type.found = found  # type: ignore[attr-defined]
    return resolve_by_type


# ------------------------------------------------ 4. a graph's minimal schema
def remembered_minimal_schema(minimal: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps GraphSchema.minimal_graph_schema: one answer per schema and targets."""

    def minimal_graph_schema(self: Any, targets: List[str] | None = None) -> Any:
        key = tuple(targets) if targets else None
        kept = self.__dict__.setdefault("_companion_minimal", {})
        if key not in kept:
            kept[key] = minimal(self, targets)
        return kept[key]

    minimal_graph_schema.wrapped = minimal  # type: ignore[attr-defined]
    return minimal_graph_schema


# ------------------------------------------- 5. JSON in buttons' payloads
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


def payloads_left_alone(interpolate_text: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps rasa.core.nlg.interpolator.interpolate_text. If every {...} in
    the text holds a double quote (JSON, never a slot name), Rasa's own
    function could only fail and return the text as it is: return it."""

    def wrapper(response: str, values: Dict[str, Any]) -> str:
        found = _PLACEHOLDER.findall(response)
        if found and all('"' in placeholder for placeholder in found):
            return response
        return interpolate_text(response, values)

    wrapper.wrapped = interpolate_text  # type: ignore[attr-defined]
    return wrapper


# ------------------------------------------------ 6. the safety net's note
def note_wanted(tracker: Any) -> bool:
    """The latest message asks for the note (SafetyCheckComponent's `safety.note`)
    and nothing has answered it yet."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    message = tracker.latest_message
    safety = (getattr(message, "parse_data", None) or {}).get("safety") if message else None
    if not (isinstance(safety, dict) and safety.get("note")):
        return False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, (ActionExecuted, BotUttered)):
            return False
    return False


Loop = Callable[..., Awaitable[None]]


def note_first(run_loop: Loop, note: str) -> Loop:
    """Wraps MessageProcessor._run_prediction_loop: the note's one line goes
    out before whatever answers the message, on every channel, inside a form
    or after a fallback alike. It is a bot utterance only, not an action, so
    the rules and the form see the conversation as they would without it."""

    async def wrapper(self: Any, output_channel: Any, tracker: Any) -> None:
        if note_wanted(tracker):
            from rasa.shared.core.events import BotUttered

            said = BotUttered(note, metadata={"safety_note": True})
            tracker.update(said)
            await output_channel.send_response(tracker.sender_id, {"text": note})
        await run_loop(self, output_channel, tracker)

    wrapper.wrapped = run_loop  # type: ignore[attr-defined]
    return wrapper


# ------------------------------------------------ 7. graph runs without dask
def _is_task(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and callable(value[0])


def run_graph(graph: Dict[Any, Any], targets: Any) -> Any:
    """dask.get for the graphs Rasa's DaskGraphRunner builds: a task is a tuple
    (callable, *arguments), an argument that is a key of the graph is that
    node's result, anything else is data. Each node runs once; a list of
    targets gives a tuple of results, as dask.get does."""
    results: Dict[Any, Any] = {}

    def value_of(key: Any) -> Any:
        if key in results:
            return results[key]
        task = graph[key]
        if _is_task(task):
            arguments = [value_of(arg) if _is_key(arg) else arg for arg in task[1:]]
            results[key] = task[0](*arguments)
        else:
            results[key] = task
        return results[key]

    def _is_key(arg: Any) -> bool:
        try:
            return arg in graph
        except TypeError:  # not hashable: data
            return False

    if isinstance(targets, list):
        return tuple(value_of(target) for target in targets)
    return value_of(targets)


class PlainScheduler:
    """Stands in for the dask module inside rasa.engine.runner.dask."""

    get = staticmethod(run_graph)


# ----------------------------------------- 8. the model's domain, read once
def domain_read_once(load: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps DomainProvider.load (its function; installed as a classmethod)."""

    def wrapper(
        cls: Any, config: Dict[str, Any], model_storage: Any, resource: Any, execution_context: Any, **kwargs: Any
    ) -> Any:
        from pathlib import Path

        from rasa.shared.core.domain import Domain
        from rasa.shared.utils.io import read_file, read_yaml

        with model_storage.read_from(resource) as folder:
            files = [path for path in Path(folder).rglob("*") if path.is_file()]
            if [path.name for path in files] == ["domain.yml"]:
                # As Domain.from_directory for one file: merging it into an
                # empty dict gives its contents unchanged.
                return cls(model_storage, resource, Domain.from_dict(read_yaml(read_file(files[0]))))
        return load(cls, config, model_storage, resource, execution_context, **kwargs)

    wrapper.wrapped = load  # type: ignore[attr-defined]
    return wrapper


# ------------------------------------------ 9. the action server's handshake
DOMAIN_NOT_KEPT = 449  # rasa-sdk's status for "send me the domain"
DIGEST_ATTRIBUTE = "_companion_domain_digest"
_whole_domain: ContextVar[bool] = ContextVar("companion_whole_domain", default=False)


def domain_digest(domain: Any) -> str:
    """The domain's fingerprint, computed once per Domain object (it never changes once loaded)."""
    digest = getattr(domain, DIGEST_ATTRIBUTE, None)
    if digest is None:
        digest = domain.fingerprint()
        setattr(domain, DIGEST_ATTRIBUTE, digest)
    return str(digest)


def call_with_digest(call_format: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
    """Wraps RemoteAction._action_call_format: adds the digest, and the domain when asked again."""

    def wrapper(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
        body = call_format(self, tracker, domain)
        body["domain_digest"] = domain_digest(domain)
        if _whole_domain.get() and "domain" not in body:
            body["domain"] = domain.as_dict()
        return body

    wrapper.wrapped = call_format  # type: ignore[attr-defined]
    return wrapper


def asked_for_domain(error: BaseException) -> bool:
    """Did this failed call fail because the action server wants the domain?"""
    from rasa.utils.endpoints import ClientResponseError

    cause = error.__cause__
    return isinstance(cause, ClientResponseError) and cause.status == DOMAIN_NOT_KEPT


def domain_on_request(run: Callable[..., Awaitable[List[Event]]]) -> Callable[..., Awaitable[List[Event]]]:
    """Wraps RemoteAction.run: once more with the whole domain after a 449."""
    from rasa.shared.exceptions import RasaException

    async def wrapper(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except RasaException as error:
            if not asked_for_domain(error):
                raise
        token = _whole_domain.set(True)
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        finally:
            _whole_domain.reset(token)

    wrapper.wrapped = run  # type: ignore[attr-defined]
    return wrapper


# --------------------------------------- 10. Sanic's websocket reads on 3.11
class AsyncioWaitingOnCoroutines:
    """Stands in for the asyncio module inside sanic.server.websockets.impl."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait(awaitables: Any, **kwargs: Any) -> Any:
        """asyncio.wait, which since Python 3.11 refuses coroutines: each becomes a task first."""
        return await asyncio.wait([asyncio.ensure_future(each) for each in awaitables], **kwargs)


# ---------------------------------------- 11. the NLU off the event loop
_NLU_WORKER: ThreadPoolExecutor | None = None


def _nlu_worker() -> ThreadPoolExecutor:
    """One thread: the NLU steps never run two messages at once, as on the loop."""
    global _NLU_WORKER
    if _NLU_WORKER is None:
        _NLU_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="companion-nlu")
    return _NLU_WORKER


def nlu_in_a_thread(parse_message: Parse) -> Parse:
    """Wraps MessageProcessor.parse_message: Rasa 3.6's own steps, with the NLU
    graph run in one worker thread, so that the event loop goes on with other
    parents' messages (their stores, policies and replies) meanwhile."""

    async def wrapper(
        self: Any, message: Any, tracker: Any | None = None, only_output_properties: bool = True
    ) -> Dict[str, Any]:
        if self.http_interpreter:
            return await parse_message(self, message, tracker, only_output_properties)
        from rasa.shared.core.trackers import DialogueStateTracker

        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        parse_data = await asyncio.get_running_loop().run_in_executor(
            _nlu_worker(), self._parse_message_with_graph, message, tracker, only_output_properties
        )
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    wrapper.wrapped = parse_message  # type: ignore[attr-defined]
    return wrapper


# -------------------------------- 12. the loaded model out of full collections
def frozen_after_loading(load: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wraps rasa.core.run.load_agent_on_start: once the agent has loaded,
    a full collection, then every object alive is frozen (gc.freeze)."""

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    wrapper.wrapped = load  # type: ignore[attr-defined]
    return wrapper


# -------------------------------------------- 13. a few messages at a time
MESSAGES_AT_ONCE = 3  # the default; CC_MESSAGES_AT_ONCE=0 turns the patch off
PATIENCE = 2.0  # seconds a message waits for its turn before it goes ahead anyway


def admitted_in_turn(
    handle: Callable[..., Awaitable[Any]], at_once: int, patience: float = PATIENCE
) -> Callable[..., Awaitable[Any]]:
    """Wraps Agent.handle_message: at most ``at_once`` messages are handled
    at the same time; the others wait, first come first served (asyncio's
    semaphore wakes its waiters in order), for at most ``patience`` seconds."""
    if at_once < 1:
        raise ValueError("CC_MESSAGES_AT_ONCE must be 1 or more (0 turns it off)")
    # One semaphore per event loop (asyncio's belong to the loop they first wait on).
    turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        turn = turns.get(loop)
        if turn is None:
            turn = turns[loop] = asyncio.Semaphore(at_once)
        try:
            await asyncio.wait_for(turn.acquire(), timeout=patience)
        except asyncio.TimeoutError:
            return await handle(self, *args, **kwargs)  # waited long enough: go ahead
        try:
            return await handle(self, *args, **kwargs)
        finally:
            turn.release()

    wrapper.wrapped = handle  # type: ignore[attr-defined]
    return wrapper


def messages_at_once() -> int:
    """CC_MESSAGES_AT_ONCE as a number: MESSAGES_AT_ONCE when unset, 0 for off."""
    value = os.environ.get("CC_MESSAGES_AT_ONCE", "").strip()
    if not value:
        return MESSAGES_AT_ONCE
    if not value.isdigit():
        raise ValueError(f"CC_MESSAGES_AT_ONCE should be a whole number (0 for off), not {value!r}")
    return int(value)


# ------------------------------------------------------------------ install
def install() -> None:
    """Installs every patch once; refuses on a Rasa it was not written for."""
    check_rasa_version()
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction
    from rasa.core.processor import MessageProcessor

    from companion.nlu.safety_net import read_settings

    RemoteAction._validate_action_result = validate_action_result
    if not hasattr(RemoteAction._action_call_format, "wrapped"):
        RemoteAction._action_call_format = call_with_digest(RemoteAction._action_call_format)
    if not hasattr(RemoteAction.run, "wrapped"):
        RemoteAction.run = domain_on_request(RemoteAction.run)
    current = ActionExtractSlots._execute_custom_action
    if not hasattr(current, "wrapped"):
        ActionExtractSlots._execute_custom_action = from_kept_profile(current, ProfileValues())
    loop = MessageProcessor._run_prediction_loop
    if not hasattr(loop, "wrapped"):
        MessageProcessor._run_prediction_loop = note_first(loop, read_settings().note)

    from rasa.core.nlg import interpolator
    from rasa.engine.graph import GraphSchema
    from rasa.shared.core.events import Event

    if not hasattr(Event.resolve_by_type, "wrapped"):
        Event.resolve_by_type = staticmethod(event_class_finder(Event.resolve_by_type))
    if not hasattr(GraphSchema.minimal_graph_schema, "wrapped"):
        GraphSchema.minimal_graph_schema = remembered_minimal_schema(GraphSchema.minimal_graph_schema)
    if not hasattr(interpolator.interpolate_text, "wrapped"):
        interpolator.interpolate_text = payloads_left_alone(interpolator.interpolate_text)

    from rasa.graph_components.providers.domain_provider import DomainProvider

    if not hasattr(DomainProvider.load, "wrapped"):
        DomainProvider.load = classmethod(domain_read_once(DomainProvider.load.__func__))  # type: ignore[assignment]

    from rasa.engine.runner import dask as dask_runner

    dask_runner.dask = PlainScheduler  # type: ignore[assignment]

    from sanic.server.websockets import impl as sanic_websockets

    sanic_websockets.asyncio = AsyncioWaitingOnCoroutines()  # type: ignore[assignment]

    if os.environ.get("CC_NLU_THREAD") == "1" and not hasattr(MessageProcessor.parse_message, "wrapped"):
        MessageProcessor.parse_message = nlu_in_a_thread(MessageProcessor.parse_message)

    from rasa.core import run as rasa_run

    if not hasattr(rasa_run.load_agent_on_start, "wrapped"):
        rasa_run.load_agent_on_start = frozen_after_loading(rasa_run.load_agent_on_start)

    from rasa.core.agent import Agent

    at_once = messages_at_once()
    if at_once and not hasattr(Agent.handle_message, "wrapped"):
        Agent.handle_message = admitted_in_turn(Agent.handle_message, at_once)  # type: ignore[method-assign]
