"""Text messages through Twilio (POST /webhooks/twilio/webhook)."""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from companion.channels import guard, sms_text
from companion.channels.common import load_unavailable, never_silent
from companion.channels.origins import profile_values
from companion.channels.screen import GuardedBlueprint
from companion.stores.shared_state import shared_state

logger = logging.getLogger(__name__)


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
    - replies fit text messages (companion/channels/sms_text.py): numbered options,
      at most three texts and "Reply MORE", a neutral first line;
    - STOP deletes the conversation at once; HELP says what this number is.

    Replies go back in the webhook's response (TwiML), so nothing is sent
    to a number that has not just texted.
    """

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SmsChannel:
        return cls()

    def __init__(self) -> None:
        self.auth_token = os.environ.get("TWILIO_AUTH_TOKEN") or ""
        self.sender_key = os.environ.get("SMS_SENDER_KEY") or ""
        self.public_url = os.environ.get("SMS_PUBLIC_URL") or ""
        if not (self.auth_token and self.sender_key):
            logger.warning(
                "SMS channel: TWILIO_AUTH_TOKEN or SMS_SENDER_KEY is not set, so every text message request is refused."
            )
        self.words = sms_text.load_sms_words()
        self.unavailable = load_unavailable()
        self.request_words = guard.load_request_words()
        self.profile = profile_values()
        # The rest of a long answer, for MORE: in Redis with several replicas.
        self._more = shared_state().more_store()

    def _twiml(self, texts) -> HTTPResponse:
        reply = MessagingResponse()
        for text in texts:
            reply.message(text)
        return response.text(str(reply), content_type="text/xml")

    def _texts(self, text: str, sender: str) -> list:
        texts, rest = sms_text.split_texts(sms_text.to_gsm(text), self.words)
        if rest:
            self._more.put(sender, rest)
        else:
            self._more.forget(sender)
        return texts

    def _signed(self, request: Request) -> bool:
        if not (self.auth_token and self.sender_key):
            return False
        # Twilio signs every field, blank ones too (an empty Body); Sanic's
        # request.form leaves blank ones out.
        if (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            params = {key: values[0] for key, values in fields.items()}
        else:
            params = {key: request.form.get(key) for key in request.form}
        url = self.public_url or request.url
        signature = request.headers.get("X-Twilio-Signature", "")
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = GuardedBlueprint("sms_webhook", __name__)
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
            sender = sms_text.conversation_id(phone, self.sender_key)
            store = request.app.ctx.agent.tracker_store
            word = sms_text.keyword(text, self.words)
            if word == "stop":
                delete = getattr(innermost(store), "delete", None)
                if delete is not None:
                    delete(sender)
                self._more.forget(sender)
                logger.info("SMS channel: STOP received; conversation deleted.")
                return self._twiml([])
            if word in ("help", "start"):
                said = self.words.help if word == "help" else self.words.started
                return self._twiml(self._texts(said.format(**self.profile), sender))
            if word == "more":
                rest = self._more.pop(sender)
                return self._twiml(self._texts(rest or self.words.nothing_more, sender))

            tracker = await store.retrieve(sender)
            first_contact = tracker is None or not any(isinstance(e, UserUttered) for e in tracker.events)
            text = sms_text.chosen_option(text, last_options(tracker)) or text
            if not text.strip():
                return self._twiml(self._texts(self.request_words.not_a_message, sender))
            # Bounded, and a typed payload sets nothing (companion/channels/guard.py).
            text = guard.cut(text)
            if text.strip().startswith("/"):
                offered = guard.offered_payloads(tracker.events) if tracker is not None else []
                domain = request.app.ctx.agent.domain
                text = guard.screen_payload(text, offered, domain.intents if domain is not None else [])
            collector = SmsOutput()
            await handle(UserMessage(text, collector, sender, input_channel=self.name()))
            reply, _ = sms_text.flatten(collector.messages, self.words)
            if first_contact:
                reply = self.words.first_reply.format(**self.profile) + "\n\n" + reply
            return self._twiml(self._texts(reply, sender))

        return webhook


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's messages for the webhook's reply. Named "twilio", so
    Rasa picks the responses' short `channel: twilio` variations."""

    @classmethod
    def name(cls) -> str:
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
