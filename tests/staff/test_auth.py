"""Signing in: accounts, cookies, CSRF, the lockout, redirects, and refusing to start."""

import re
import time

import pytest
from conftest import PASSWORD, SECRET, Browser, Server, add_user

from staff.accounts import Lockout
from staff.sessions import Sessions, safe_next

PAGES = ["/", "/insights", "/insights?from=2026-01-01", "/insights.csv", "/queue", "/queue?show=labelled"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_redirects_to_sign_in(browser, path):
    resp = browser.get(path)
    assert resp.status_code == 303
    location = resp.headers["Location"]
    assert location.startswith("/signin") or location == "/insights"
    if path != "/":
        assert location.startswith("/signin?next=")


@pytest.mark.parametrize("path", ["/queue/label", "/signout"])
def test_every_form_without_a_session_redirects_to_sign_in(browser, path):
    resp = browser.post(path, {"csrf": "x", "item": "x", "kind": "not_relevant"})
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/signin")


def test_sign_in_sets_a_secure_http_only_same_site_strict_cookie_and_goes_where_asked(browser):
    resp = browser.sign_in(next_path="/queue?show=labelled")
    assert resp.status_code == 303 and resp.headers["Location"] == "/queue?show=labelled"
    session_cookie = [h for h in browser.set_cookie_headers if h.startswith("staff_session=")][-1]
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert flag.lower() in session_cookie.lower(), session_cookie
    assert browser.get("/queue").status_code == 200


def test_a_wrong_password_is_refused_and_the_page_does_not_say_which_part_was_wrong(browser):
    wrong = browser.sign_in(password="not the password at all")
    unknown = Browser(browser.server).sign_in(user="mallory")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.text and "do not match an account" in unknown.text
    assert "staff_session" not in browser.cookies
    assert browser.get("/insights").status_code == 303


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_redirects_off_the_site(browser, next_path):
    resp = browser.sign_in(next_path=next_path)
    assert resp.status_code == 303 and resp.headers["Location"] == "/insights"
    assert safe_next(next_path) == "/insights"


def test_five_failures_lock_the_account_even_against_the_right_password(server):
    browser = Browser(server)
    statuses = [browser.sign_in(user="bob", password=f"wrong password {n}").status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = browser.sign_in(user="bob", password=PASSWORD)
    assert locked.status_code == 429 and "Too many attempts" in locked.text
    assert "staff_session" not in browser.cookies
    # Other accounts are not locked.
    assert Browser(server).sign_in(user="carol").status_code == 303


def test_the_lock_lifts_after_15_minutes():
    now = [1000.0]
    lockout = Lockout(clock=lambda: now[0])
    for _ in range(5):
        lockout.failed("bob")
    assert lockout.locked("bob") and lockout.locked("BOB") and not lockout.locked("alice")
    now[0] += 14 * 60
    assert lockout.locked("bob")
    now[0] += 2 * 60
    assert not lockout.locked("bob")
    lockout.failed("bob")
    assert not lockout.locked("bob")


def test_forms_without_their_csrf_token_are_refused(signed_in, server):
    queue = signed_in.get("/queue")
    item = re.search(r'name="item" value="([^"]+)"', queue.text).group(1)
    labelled_before = signed_in.get("/queue?show=labelled").text.count("Labelled:")
    for token in (None, "", "forged-token"):
        data = {"item": item, "kind": "not_relevant"}
        if token is not None:
            data["csrf"] = token
        resp = signed_in.post("/queue/label", data)
        assert resp.status_code == 403 and "This form has expired" in resp.text
    assert signed_in.get("/queue?show=labelled").text.count("Labelled:") == labelled_before
    assert item in signed_in.get("/queue").text
    assert signed_in.post("/signout", {}).status_code == 403
    assert signed_in.get("/insights").status_code == 200  # still signed in
    # The sign-in form too: no token, or one not made for this browser's cookie.
    fresh = Browser(server)
    assert fresh.post("/signin", {"username": "alice", "password": PASSWORD}).status_code == 403
    other = Browser(server)
    token = other.csrf(other.get("/signin").text)
    fresh.get("/signin")
    assert fresh.post("/signin", {"csrf": token, "username": "alice", "password": PASSWORD}).status_code == 403


def test_signing_out_ends_the_session_and_a_forged_cookie_is_refused(server):
    browser = Browser(server)
    browser.sign_in()
    old = dict(browser.cookies)
    page = browser.get("/insights")
    resp = browser.post("/signout", {"csrf": browser.csrf(page.text)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/signin?out=1"
    replay = Browser(server)
    replay.cookies = old
    assert replay.get("/insights").status_code == 303
    forged = Browser(server)
    ident = old["staff_session"].split(".")[0]
    forged.cookies = {"staff_session": ident + "." + "0" * 64}
    assert forged.get("/insights").status_code == 303


def test_sessions_expire_after_an_hour_unused():
    now = [0.0]
    sessions = Sessions(b"k" * 32, clock=lambda: now[0])
    cookie = sessions.cookie_value(sessions.start("alice"))
    now[0] += 3000
    assert sessions.from_cookie(cookie) is not None
    now[0] += 3700
    assert sessions.from_cookie(cookie) is None


def test_the_audit_log_says_who_viewed_and_exported_what(server):
    browser = Browser(server)
    browser.sign_in(user="carol")
    browser.get("/insights?from=2026-01-01")
    browser.get("/insights.csv")
    browser.get("/queue")
    Browser(server).sign_in(user="nobody-here", password="wrong password here")
    from staff.reviews import ReviewStore

    entries = [(e["who"], e["action"]) for e in ReviewStore(f"sqlite:///{server.staff_db}").audit_entries()]
    for action in ("signed in", "viewed figures", "exported figures (CSV)", "viewed review queue"):
        assert ("carol", action) in entries
    assert ("(unknown)", "sign-in failed") in entries
    assert not any("nobody-here" in e["who"] for e in ReviewStore(f"sqlite:///{server.staff_db}").audit_entries())


@pytest.mark.parametrize("missing", ["account", "secret", "short secret"])
def test_the_app_refuses_to_start_without_an_account_and_a_secret(tmp_path, missing):
    server = Server(tmp_path)
    if missing != "account":
        add_user(server.users, "alice")
    if missing == "secret":
        server.env.pop("STAFF_SECRET")
        server.env["STAFF_SECRET_FILE"] = str(tmp_path / "no-such-file")
    if missing == "short secret":
        server.env["STAFF_SECRET"] = "too-short"
    started = time.monotonic()
    assert server.start(expect_up=False) == 1
    assert time.monotonic() - started < 60
    expected = {"account": "No staff account", "secret": "No secret", "short secret": "too short"}[missing]
    assert expected in server.log()


def test_accounts_are_stored_as_argon2_hashes(server):
    text = server.users.read_text()
    assert "$argon2id$" in text and PASSWORD not in text
    assert oct(server.users.stat().st_mode)[-3:] == "600"
    assert SECRET not in text
