"""The staff pages: sign in, figures, review queue. A Sanic app of its own.

Every page but sign-in, /health and (when switched on) the public summary
needs a session; without one it redirects to sign-in. Every form carries a
CSRF token and is refused (403) without it. Each page viewed and each
download is written to the audit log (staff/reviews.py) with who and when.
The tracker store is read in a worker thread, read-only (staff/tracker.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import time
from datetime import date, timedelta
from functools import partial, wraps
from pathlib import Path
from typing import Callable, Tuple
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request

from staff import charts
from staff.accounts import Authenticator, Lockout, PasswordAuthenticator
from staff.conversations import conversations as read_conversations
from staff.insights import Insights, day_of, day_start
from staff.insights import insights as compute_insights
from staff.queue import all_message_keys, build_queue
from staff.redact import redact_again
from staff.reviews import KINDS, ReviewStore
from staff.sessions import MAX_AGE, SESSION_COOKIE, SIGNIN_COOKIE, Session, Sessions, csrf_ok, safe_next
from staff.settings import Settings
from staff.tracker import TrackerReader
from staff.words import label_choices, words

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
QUEUE_SHOWN = 100
DEFAULT_DAYS = 7


class Staff:
    """What the pages share: settings, the stores, sessions, the lockout."""

    def __init__(
        self, settings: Settings, authenticator: Authenticator | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings, self.clock = settings, clock
        self.reader = TrackerReader(settings.tracker)
        self.reviews = ReviewStore(settings.review_url)
        self.sessions = Sessions(settings.secret, clock)
        self.lockout = Lockout(clock)
        self.authenticator = authenticator or PasswordAuthenticator(settings.users)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
        )
        self.templates.globals.update(w=words(), charts=charts)

    @property
    def cutoff(self) -> float:
        """Nothing older than the retention period is shown or kept."""
        return self.clock() - self.settings.retention_days * 86400

    def read(self, since: float, until: float):
        return read_conversations(self.reader.events(max(since, self.cutoff), until))

    def figures(self, first: date, last: date) -> Insights:
        conversations = self.read(day_start(first), day_start(last + timedelta(1)))
        return compute_insights(conversations, first, last)

    def queue(self):
        conversations = self.read(self.cutoff, self.clock() + 86400)
        self.reviews.keep_only(all_message_keys(conversations), self.cutoff)
        return build_queue(conversations, self.settings.secret, self.reviews.by_message())


def create_app(
    settings: Settings,
    authenticator: Authenticator | None = None,
    clock: Callable[[], float] = time.time,
    name: str = "staff",
) -> Sanic:
    app = Sanic(name)
    app.config.ACCESS_LOG = False
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    app.config.KEEP_ALIVE_TIMEOUT = 5
    staff = Staff(settings, authenticator, clock)
    app.ctx.staff = staff
    app.static("/static", str(HERE / "static"), name="static")
    text = words()

    async def in_thread(function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))

    def page(template: str, status: int = 200, **context) -> response.HTTPResponse:
        html = staff.templates.get_template(template).render(**context)
        return response.html(html, status=status)

    def current(request: Request) -> Session | None:
        return staff.sessions.from_cookie(request.cookies.get(SESSION_COOKIE))

    def set_cookie(resp, name: str, value: str, max_age: int) -> None:
        resp.cookies[name] = value
        resp.cookies[name]["httponly"] = True
        resp.cookies[name]["samesite"] = "Strict"
        resp.cookies[name]["path"] = "/"
        resp.cookies[name]["max-age"] = max_age
        if settings.secure_cookies:
            resp.cookies[name]["secure"] = True

    def signed_in(handler):
        """The page needs a session (else: sign in first); a POST needs its CSRF token."""

        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            session = current(request)
            if session is None:
                target = request.path + (f"?{request.query_string}" if request.query_string else "")
                return response.redirect("/signin?" + urlencode({"next": target}), status=303)
            if request.method == "POST" and not csrf_ok(session, request.form.get("csrf")):
                return page("message.html", status=403, title=text["errors"]["csrf"], session=session)
            return await handler(request, session, *args, **kwargs)

        return wrapper

    @app.middleware("response")
    async def headers(request: Request, resp) -> None:
        resp.headers.update(SECURITY_HEADERS)
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception):
        from sanic.exceptions import NotFound, SanicException

        if isinstance(exception, NotFound):
            return page("message.html", status=404, title=text["errors"]["not_found"], session=current(request))
        status = getattr(exception, "status_code", 500) if isinstance(exception, SanicException) else 500
        if status >= 500:
            app.logger.exception("Staff pages: %s", exception)
        return page("message.html", status=status, title=text["errors"]["bad_request"], session=None)

    @app.get("/health")
    async def health(_request: Request):
        return response.text("ok")

    @app.get("/favicon.ico")
    async def no_icon(_request: Request):
        return response.empty()

    # ------------------------------------------------------------- sign in / out
    def signin_page(request: Request, error: str = "", status: int = 200):
        nonce = secrets.token_urlsafe(16)
        target = request.form.get("next") if request.method == "POST" else request.args.get("next")
        resp = page(
            "signin.html",
            status=status,
            session=None,
            error=error,
            csrf=staff.sessions.signin_token(nonce),
            next=safe_next(target),
            signed_out=request.args.get("out") == "1",
        )
        set_cookie(resp, SIGNIN_COOKIE, nonce, 3600)
        return resp

    @app.get("/signin")
    async def signin_form(request: Request):
        if current(request) is not None:
            return response.redirect(safe_next(request.args.get("next")), status=303)
        return signin_page(request)

    @app.post("/signin")
    async def signin(request: Request):
        form = request.form
        if not staff.sessions.signin_token_ok(request.cookies.get(SIGNIN_COOKIE), form.get("csrf")):
            return page("message.html", status=403, title=text["errors"]["csrf"], session=None)
        username = (form.get("username") or "").strip()[:64]
        password = (form.get("password") or "")[:1024]
        known = username in staff.authenticator.users() if hasattr(staff.authenticator, "users") else False
        who = username if known else "(unknown)"
        if staff.lockout.locked(username):
            staff.reviews.audit(who, "sign-in refused: locked")
            return signin_page(request, text["signin"]["locked"], status=429)
        user = await in_thread(staff.authenticator.authenticate, username, password)
        if user is None:
            staff.lockout.failed(username)
            staff.reviews.audit(who, "sign-in failed")
            if staff.lockout.locked(username):
                staff.reviews.audit(who, "locked for 15 minutes")
                return signin_page(request, text["signin"]["locked"], status=429)
            return signin_page(request, text["signin"]["failed"], status=401)
        staff.lockout.succeeded(username)
        session = staff.sessions.start(user)
        staff.reviews.audit(user, "signed in")
        resp = response.redirect(safe_next(form.get("next")), status=303)
        set_cookie(resp, SESSION_COOKIE, staff.sessions.cookie_value(session), MAX_AGE)
        del resp.cookies[SIGNIN_COOKIE]
        return resp

    @app.post("/signout")
    @signed_in
    async def signout(request: Request, session: Session):
        staff.sessions.end(session)
        staff.reviews.audit(session.user, "signed out")
        resp = response.redirect("/signin?out=1", status=303)
        del resp.cookies[SESSION_COOKIE]
        return resp

    # ------------------------------------------------------------- figures
    def date_range(request: Request) -> Tuple[date, date]:
        today = day_of(staff.clock())
        earliest = day_of(staff.cutoff)

        def read(name: str, default: date) -> date:
            try:
                return date.fromisoformat(request.args.get(name) or "")
            except ValueError:
                return default

        last = min(max(read("to", today), earliest), today)
        first = min(max(read("from", last - timedelta(DEFAULT_DAYS - 1)), earliest), last)
        return first, last

    @app.get("/")
    async def home(request: Request):
        return response.redirect("/insights", status=303)

    @app.get("/insights")
    @signed_in
    async def figures(request: Request, session: Session):
        first, last = date_range(request)
        result = await in_thread(staff.figures, first, last)
        staff.reviews.audit(session.user, "viewed figures", f"{first} to {last}")
        return page(
            "insights.html",
            session=session,
            f=result,
            first=first,
            last=last,
            earliest=day_of(staff.cutoff),
            today=day_of(staff.clock()),
            days=settings.retention_days,
            query=urlencode({"from": first, "to": last}),
            topic_rows=[(title, count) for _, title, count in result.topics],
        )

    @app.get("/insights.csv")
    @signed_in
    async def figures_csv(request: Request, session: Session):
        first, last = date_range(request)
        result = await in_thread(staff.figures, first, last)
        staff.reviews.audit(session.user, "exported figures (CSV)", f"{first} to {last}")
        return response.text(
            figures_as_csv(result),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="figures-{first}-to-{last}.csv"'},
        )

    @app.get("/public/summary.json")
    async def public_summary(request: Request):
        if not settings.public_summary:
            return page("message.html", status=404, title=text["errors"]["not_found"], session=None)
        first, last = date_range(request)
        result = await in_thread(staff.figures, first, last)
        return response.json(result.as_dict(), headers={"Access-Control-Allow-Origin": "*"})

    # ------------------------------------------------------------- review queue
    @app.get("/queue")
    @signed_in
    async def queue(request: Request, session: Session):
        show = "labelled" if request.args.get("show") == "labelled" else "open"
        items, _ = await in_thread(staff.queue)
        chosen = [item for item in items if (item.review is not None) == (show == "labelled")]
        staff.reviews.audit(session.user, "viewed review queue", show)
        return page(
            "queue.html",
            session=session,
            items=chosen[:QUEUE_SHOWN],
            total=len(chosen),
            show=show,
            choices=label_choices(),
            saved=request.args.get("saved") == "1",
            invalid=request.args.get("invalid") == "1",
        )

    @app.post("/queue/label")
    @signed_in
    async def label(request: Request, session: Session):
        form = request.form
        show = "labelled" if form.get("show") == "labelled" else "open"
        kind, intent = form.get("kind"), form.get("intent")
        items, where = await in_thread(staff.queue)
        item = next((i for i in items if i.id == form.get("item")), None)
        if item is None:
            return page("message.html", status=404, title=text["errors"]["not_found"], session=session)
        if kind not in KINDS or (kind == "topic" and intent not in label_choices()):
            return response.redirect(f"/queue?show={show}&invalid=1#item-{quote(item.id)}", status=303)
        sender_id, timestamp = where[item.id]
        note = redact_again((form.get("note") or "").strip())[:500] if kind == "new_topic" else ""
        await in_thread(
            staff.reviews.label,
            sender_id,
            timestamp,
            kind,
            intent if kind == "topic" else None,
            note,
            item.text,
            session.user,
        )
        staff.reviews.audit(session.user, "labelled a message", f"{kind} {intent or ''}".strip())
        return response.redirect(f"/queue?show={show}&saved=1", status=303)

    return app


def figures_as_csv(result: Insights) -> str:
    """The figures as rows of measure, detail, day, channel, count."""
    spec = words()["csv"]
    names = spec["measures"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec["columns"])
    for day in result.days:
        for channel in result.channels:
            for measure, table in (
                ("conversations", result.conversations_per_day),
                ("messages", result.messages_per_day),
            ):
                writer.writerow([names[measure], "", day.isoformat(), channel, table[day].get(channel, 0)])
    period = f"{result.first}/{result.last}"
    writer.writerow([names["conversations"], "", period, "", result.conversations])
    writer.writerow([names["messages"], "", period, "", result.messages])
    for intent, _title, count in result.topics:
        writer.writerow([names["topic"], intent, period, "", count])
    for key in ("did_you_mean", "declined", "none_of_these", "date_questions", "dates_worked_out"):
        writer.writerow([names[key], "", period, "", getattr(result, key)])
    for intent, _label, count in result.safety:
        writer.writerow([names["safety"], intent, period, "", count])
    writer.writerow([names["reached_answer"], "", period, "", result.reached_answer])
    return out.getvalue()


def main() -> int:
    """`python -m staff`: refuses to start without an account and a secret."""
    import sys

    from staff.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as problem:
        print(f"Staff pages: {problem}", file=sys.stderr)  # noqa: T201 (command-line output)
        return 1
    app = create_app(settings)
    print(words()["cli"]["starting"].format(host=settings.host, port=settings.port), flush=True)  # noqa: T201 (command-line output)
    app.run(host=settings.host, port=settings.port, access_log=False, motd=False, workers=1)
    return 0
