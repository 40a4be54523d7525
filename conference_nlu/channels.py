"""Our REST and socket.io channels: Rasa's own, plus two guarantees.

- Rate limited: one conversation may send `per_minute` messages in any
  minute (content/unavailable.yml); past that it is asked to wait.
- Never silent: if a message gets no reply at all (the action server is
  down, or the conversation store failed), the parent gets the kind answer
  in content/unavailable.yml instead of nothing or an error page.
- Socket.io accepts connections only from the allowed origins (Rasa's
  channel accepts any): $CC_ALLOWED_ORIGINS (space-separated; the launcher
  sets it to the profile's `web.allowed_origins` plus its demo page), or
  else the profile's list. With none, only same-origin pages may connect.

Named in credentials.yml as conference_nlu.channels.RestChannel and
conference_nlu.channels.SocketIOChannel. Their names stay "rest" and
"socketio", so the webhook paths and the channel the actions see are
unchanged.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from conference_nlu import sms
from conference_nlu.origins import allowed_origins, profile_values
from conference_nlu.yaml_file import read_mapping

logger = logging.getLogger(__name__)
UNAVAILABLE_PATH = Path(__file__).resolve().parent.parent / "content" / "unavailable.yml"


class ChannelConfigError(ValueError):
    """A channel's content or settings are missing or malformed."""


class RateLimiter:
    """At most ``limit`` messages per sender in any ``window`` seconds.

    Kept in this process's memory: with several Rasa replicas behind a load
    balancer, each replica counts its own share (docs/security.md).
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self._clock = limit, window, clock
        self._seen: Dict[Text, Deque[float]] = {}

    def allow(self, sender: Text) -> bool:
        now = self._clock()
        times = self._seen.setdefault(sender, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        if len(self._seen) > 10000:   # forget idle senders now and then
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[key]
        return True


def load_unavailable(path: Path = UNAVAILABLE_PATH) -> Dict[Text, Any]:
    data = read_mapping(path, ChannelConfigError)
    if not str(data.get("text") or "").strip():
        raise ChannelConfigError(f"{path}: text is missing")
    buttons = data.get("buttons") or []
    if not all(isinstance(b, dict) and b.get("title") and b.get("payload") for b in buttons):
        raise ChannelConfigError(f"{path}: each button needs a title and a payload")
    # A deployment (or a benchmark) may set its own limit without editing content.
    limit = int(os.environ["CC_MESSAGES_PER_MINUTE"]) if os.environ.get("CC_MESSAGES_PER_MINUTE") \
        else data.get("per_minute")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ChannelConfigError(f"{path}: per_minute should be a whole number above 0")
    if not str(data.get("too_many") or "").strip():
        raise ChannelConfigError(f"{path}: too_many is missing")
    return {"text": data["text"].strip(), "buttons": buttons,
            "too_many": data["too_many"].strip(), "per_minute": limit}


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 unavailable: Dict[Text, Any],
                 limiter: Optional[RateLimiter] = None) -> Callable[[UserMessage], Awaitable[None]]:
    """Wraps Rasa's message handler: too many messages get a request to slow
    down (and are not processed); no reply, or a failure, gets the kind answer."""
    limiter = limiter or RateLimiter(unavailable["per_minute"])
    answer = {"text": unavailable["text"], "buttons": unavailable["buttons"]}

    async def handle(message: UserMessage) -> None:
        channel = message.output_channel
        send = channel.send_response
        if not limiter.allow(message.sender_id):
            logger.warning("Rate limit reached for one conversation; message not processed.")
            await send(message.sender_id, {"text": unavailable["too_many"]})
            return
        replies = 0

        async def counted(recipient_id: Text, reply: Dict[Text, Any]) -> None:
            nonlocal replies
            replies += 1
            await send(recipient_id, reply)

        channel.send_response = counted
        try:
            await on_new_message(message)
        except Exception:  # the parent still gets an answer; the log says why
            logger.exception("Handling a message failed; sending the 'unavailable' answer.")
        if replies == 0:
            logger.warning("A message got no reply; sending the 'unavailable' answer.")
            await send(message.sender_id, dict(answer))

    return handle


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        super().__init__()
        self._unavailable = load_unavailable()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message, self._unavailable))


class SocketIOChannel(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message, load_unavailable()))
        # Rasa builds its server with origin checks turned off ([]); turn
        # them on. None means same-origin pages only.
        self.sio.eio.cors_allowed_origins = allowed_origins() or None
        return blueprint


# --------------------------------------------------------------------- SMS
class SmsChannel(InputChannel):
    """Text messages through Twilio, on the webhook shape of Rasa's own
    Twilio channel (/webhooks/twilio/webhook, form fields From and Body),
    with what that channel lacks:

    - every request's X-Twilio-Signature is checked with the twilio
      library against TWILIO_AUTH_TOKEN; a forged or unsigned request gets
      403 and is not processed (so does every request if the token is not
      set). SMS_PUBLIC_URL is the address Twilio calls, when a proxy sits in
      front;
    - the conversation id is a keyed hash of the phone number (SMS_SENDER_KEY);
    - replies fit text messages (conference_nlu/sms.py): numbered options,
      at most three texts and "Reply MORE", a neutral first line;
    - STOP deletes the conversation at once; HELP says what this number is.

    Replies go back in the webhook's response (TwiML), so nothing is sent
    to a number that has not just texted.
    """

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SmsChannel":
        return cls()

    def __init__(self) -> None:
        self.auth_token = os.environ.get("TWILIO_AUTH_TOKEN") or ""
        self.sender_key = os.environ.get("SMS_SENDER_KEY") or ""
        self.public_url = os.environ.get("SMS_PUBLIC_URL") or ""
        if not (self.auth_token and self.sender_key):
            logger.warning("SMS channel: TWILIO_AUTH_TOKEN or SMS_SENDER_KEY is not set, "
                           "so every text message request is refused.")
        self.words = sms.load_sms_words()
        self.unavailable = load_unavailable()
        self.profile = profile_values()
        self._more: Dict[Text, Text] = {}

    def _twiml(self, texts) -> HTTPResponse:
        reply = MessagingResponse()
        for text in texts:
            reply.message(text)
        return response.text(str(reply), content_type="text/xml")

    def _texts(self, text: Text, sender: Text) -> list:
        texts, rest = sms.split_texts(sms.to_gsm(text), self.words)
        if rest:
            self._more[sender] = rest
        else:
            self._more.pop(sender, None)
        return texts

    def _signed(self, request: Request) -> bool:
        if not (self.auth_token and self.sender_key):
            return False
        params = {key: request.form.get(key) for key in request.form}
        url = self.public_url or request.url
        signature = request.headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("sms_webhook", __name__)
        handle = never_silent(on_new_message, self.unavailable)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._signed(request):
                logger.warning("SMS channel: refused a request without a valid Twilio signature.")
                return response.text("Forbidden", status=403)
            phone, text = request.form.get("From"), request.form.get("Body") or ""
            if not phone:
                return response.text("Bad request: no From", status=400)
            sender = sms.conversation_id(phone, self.sender_key)
            store = request.app.ctx.agent.tracker_store
            word = sms.keyword(text, self.words)
            if word == "stop":
                delete = getattr(innermost(store), "delete", None)
                if delete is not None:
                    delete(sender)
                self._more.pop(sender, None)
                logger.info("SMS channel: STOP received; conversation deleted.")
                return self._twiml([])
            if word in ("help", "start"):
                said = self.words.help if word == "help" else self.words.started
                return self._twiml(self._texts(said.format(**self.profile), sender))
            if word == "more":
                rest = self._more.pop(sender, "")
                return self._twiml(self._texts(rest or self.words.nothing_more, sender))

            tracker = await store.retrieve(sender)
            first_contact = tracker is None or not any(isinstance(e, UserUttered) for e in tracker.events)
            text = sms.chosen_option(text, last_options(tracker)) or text
            collector = SmsOutput()
            await handle(UserMessage(text, collector, sender, input_channel=self.name()))
            reply, _ = sms.flatten(collector.messages, self.words)
            if first_contact:
                reply = self.words.first_reply.format(**self.profile) + "\n\n" + reply
            return self._twiml(self._texts(reply, sender))

        return webhook


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's messages for the webhook's reply. Named "twilio", so
    Rasa picks the responses' short `channel: twilio` variations."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"


def innermost(store):
    """Our tracker store, inside the wrappers Rasa puts around it."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def last_options(tracker) -> list:
    """The button payloads the bot offered in its last turn, in order."""
    if tracker is None:
        return []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and (event.data or {}).get("buttons"):
            return [b.get("payload") for b in event.data["buttons"]]
    return []
