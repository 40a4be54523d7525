"""The figures and the review queue over the seeded conversations (seed.py)."""

import csv
import io
import re

import pytest
import requests
from conftest import Browser, Server, add_user, noon_today
from seed import PLANTED, seed


def figure(html: str, ident: str) -> int:
    return int(re.search(rf'id="{ident}">(\d+)<', html).group(1))


def items(html: str):
    return re.findall(r'<li class="item" id="item-([0-9a-f]+)">\s*<p class="text">([^<]*)</p>', html)


def test_last_weeks_figures_count_what_the_seed_holds(signed_in):
    html = signed_in.get("/insights").text
    assert figure(html, "conversations") == 8  # the one past retention is not counted
    assert figure(html, "messages") == 10
    assert figure(html, "reached-answer") == 4
    assert figure(html, "did-you-mean") == 3
    assert figure(html, "declined") == 1
    assert figure(html, "none-of-these") == 1
    assert figure(html, "date-questions") == 1
    assert figure(html, "dates-worked-out") == 1
    assert "50% of conversations" in html and "38% of typed messages" in html
    assert re.search(r"A parent in crisis</th><td>1</td>", html)
    assert re.search(r"A child in danger</th><td>0</td>", html)
    assert re.search(r"SMS</th><td>1</td><td>2</td>", html)
    assert re.search(r"Web chat</th><td>6</td><td>7</td>", html)


def test_the_charts_are_inline_svg_with_a_figure_on_every_bar(signed_in):
    html = signed_in.get("/insights").text
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert len(charts) == 3
    assert all('role="img"' in chart for chart in charts)
    bars = re.findall(r"<rect [^>]*><title>([^<]+)</title>", charts[0])
    assert sum(int(title.split()[0]) for title in bars) == 8  # conversations, day by day
    assert "Can I bring someone?: 2" in charts[2]
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_date_range_narrows_the_figures(signed_in):
    from datetime import datetime, timedelta

    from staff.insights import UK

    yesterday = (datetime.now(UK).date() - timedelta(1)).isoformat()
    html = signed_in.get(f"/insights?from={yesterday}&to={yesterday}").text
    assert figure(html, "conversations") == 2
    nonsense = signed_in.get("/insights?from=not-a-date&to=9999-99-99")
    assert nonsense.status_code == 200 and figure(nonsense.text, "conversations") == 8


def test_the_csv_export_has_the_same_figures(signed_in):
    resp = signed_in.get("/insights.csv")
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    totals = {(r["measure"], r["detail"]): int(r["count"]) for r in rows if "/" in r["day"]}
    assert totals[("conversations", "")] == 8
    assert totals[("topic", "ask_bring_supporter")] == 2
    assert totals[("safety_route", "parent_in_crisis")] == 1
    assert totals[("did_you_mean", "")] == 3
    per_day = sum(int(r["count"]) for r in rows if r["measure"] == "messages" and "/" not in r["day"])
    assert per_day == 10


def test_the_queue_shows_declined_unsure_and_none_of_these_newest_first(signed_in):
    html = signed_in.get("/queue").text
    found = items(html)
    assert len(found) == 5
    texts = [text for _, text in found]
    starts = [
        "my NI number is [NI-number]",
        "what does the LADO do",
        "can my sister [name] come",
        "email me at [email]",
        "[name] lives at [postcode] with [name]",
    ]
    assert [text[: len(start)] for text, start in zip(texts, starts, strict=True)] == starts
    reasons = re.findall(r'<dd class="reason">([^<]+)</dd>', html)
    assert sorted(reasons) == sorted(["&#34;None of these&#34;", "Declined", "Unsure", "Declined", "Declined"])
    assert "52%" in html and "SMS" in html and "REST" in html
    assert "end it all" not in html  # a safety route is never shown
    assert "past retention" not in html
    assert "bring my mum" not in html  # answered with confidence


@pytest.fixture(scope="module")
def every_page(server):
    """Every page and download a signed-in staff member can reach, after labelling."""
    browser = Browser(server)
    browser.sign_in(user="carol")
    queue = browser.get("/queue").text
    csrf = browser.csrf(queue)
    ident = items(queue)[0][0]
    browser.post(
        "/queue/label",
        {"csrf": csrf, "item": ident, "kind": "new_topic", "note": "Parent Jayden asked, call 07700 900123"},
    )
    pages = {
        path: browser.get(path)
        for path in [
            "/insights",
            "/insights.csv",
            "/queue",
            "/queue?show=labelled",
            "/signin",
            "/nope",
            "/public/summary.json",
            "/insights?from=2000-01-01",
        ]
    }
    return pages


def test_planted_personal_details_never_appear_on_any_page_or_export(every_page, server):
    for path, resp in every_page.items():
        body = resp.text
        for detail in PLANTED:
            assert detail.lower() not in body.lower(), f"{detail!r} on {path}"
        for sender in server.seeded.sender_ids:
            assert sender not in body, f"sender id on {path}"
    labelled = every_page["/queue?show=labelled"].text
    assert "Needs a new topic" in labelled and "[name]" in labelled and "[phone]" in labelled


def test_labels_are_stored_without_sender_ids_or_planted_details(every_page, server):
    import sqlite3

    with sqlite3.connect(server.staff_db) as db:
        dump = "\n".join(db.iterdump())
    for detail in PLANTED + server.seeded.sender_ids:
        assert detail.lower() not in dump.lower()


def test_the_public_summary_is_off_by_default(every_page):
    assert every_page["/public/summary.json"].status_code == 404


def test_nothing_older_than_the_retention_period_is_shown(every_page):
    html = every_page["/insights?from=2000-01-01"].text
    assert figure(html, "conversations") == 8
    assert "Figures go back at most 30 days" in html
    assert "past retention" not in every_page["/queue"].text


def test_labelling_three_messages(server):
    browser = Browser(server)
    browser.sign_in(user="carol")
    queue = browser.get("/queue").text
    before = items(queue)
    labels = [
        {"kind": "topic", "intent": "ask_jargon"},
        {"kind": "not_relevant"},
        {"kind": "topic", "intent": "ask_minutes_confidentiality"},
    ]
    for (ident, _), label in zip(before[:3], labels, strict=True):
        resp = browser.post("/queue/label", {"csrf": browser.csrf(queue), "item": ident, **label})
        assert resp.status_code == 303 and "saved=1" in resp.headers["Location"]
    after = items(browser.get("/queue").text)
    assert len(after) == len(before) - 3
    labelled = browser.get("/queue?show=labelled").text
    assert "Labelled: What do the words mean?, by carol" in labelled
    assert "Labelled: Not relevant, by carol" in labelled
    # A label can be changed; a topic the bot does not have is refused.
    ident = items(labelled)[0][0]
    bad = browser.post(
        "/queue/label", {"csrf": browser.csrf(labelled), "item": ident, "kind": "topic", "intent": "child_in_danger"}
    )
    assert "invalid=1" in bad.headers["Location"]
    unknown = browser.post("/queue/label", {"csrf": browser.csrf(labelled), "item": "0" * 32, "kind": "not_relevant"})
    assert unknown.status_code == 404


def test_the_public_summary_when_switched_on_and_cookies_for_plain_http(tmp_path):
    server = Server(tmp_path, {"STAFF_PUBLIC_SUMMARY": "1", "STAFF_INSECURE_COOKIES": "1"})
    server.seeded = seed(f"sqlite:///{server.tracker}", noon_today())
    add_user(server.users, "alice")
    server.start()
    try:
        summary = requests.get(server.url + "/public/summary.json", timeout=30).json()
        assert summary["conversations"] == 8 and summary["safety_routes"]["parent_in_crisis"] == 1
        assert summary["topics"][0] == {"intent": "ask_bring_supporter", "title": "Can I bring someone?", "messages": 2}
        text = str(summary)
        assert not any(d.lower() in text.lower() for d in PLANTED + server.seeded.sender_ids)
        browser = Browser(server)
        browser.sign_in()
        cookie = [h for h in browser.set_cookie_headers if h.startswith("staff_session=")][-1]
        assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
    finally:
        server.stop()
