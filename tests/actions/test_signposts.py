from dataclasses import replace

from actions.content import content
from actions.profile import load_profile
from actions.signposts import advocacy_sentence, national_advice_sentence, profile_slots


def test_slots_carry_the_profile_contacts():
    profile = load_profile()
    slots = profile_slots(profile, content().helplines)
    assert slots["profile_loaded"] is True
    assert slots["organisation_name"] == "Ashdown Borough Council"
    assert slots["contact_phone"] == "01632 960 100"
    assert slots["out_of_hours"] == "; evenings and weekends: 01632 960 999"
    assert slots["complaints_url"].startswith("https://")


def test_no_out_of_hours_number_leaves_no_gap():
    profile = load_profile()
    profile = replace(profile, contact=replace(profile.contact, out_of_hours_phone=None))
    assert profile_slots(profile, content().helplines)["out_of_hours"] == ""


def test_family_rights_group_is_offered_in_england_only():
    england = load_profile()
    helplines = content().helplines
    assert "0808 801 0366" in national_advice_sentence(england, helplines)
    for nation in ("wales", "scotland", "northern_ireland"):
        sentence = national_advice_sentence(replace(england, nation=nation), helplines)
        assert "Family Rights Group" not in sentence
        assert england.contact.phone in sentence


def test_advocacy_sentence_names_the_local_service_or_says_how_to_find_one():
    profile = load_profile()
    assert "Ashdown Parents' Advocacy Service (01632 960 200, https://advocacy.ashdown.example)" in advocacy_sentence(
        profile
    )
    assert "Ask your social worker or the chair" in advocacy_sentence(replace(profile, advocacy=None))


def test_privacy_notice_says_what_is_kept_how_long_who_sees_it_and_about_risks():
    profile = load_profile()
    notice = profile_slots(profile, content().helplines)["privacy_notice"]
    assert "Ashdown Borough Council keeps what you type here for 30 days after your last message" in notice
    assert "Only the council's digital services team can see it." in notice
    assert "No one reads this chat as you type" in notice and "call 999" in notice
    assert profile.contact.phone in notice
    assert 'Type "delete my conversation"' in notice
    shorter = replace(profile, retention_days=7)
    assert "for 7 days after" in profile_slots(shorter, content().helplines)["privacy_notice"]


def test_each_nation_gets_its_own_domestic_abuse_helpline():
    england = load_profile()
    helplines = content().helplines
    expected = {
        "england": ("National Domestic Abuse Helpline", "0808 2000 247"),
        "wales": ("Live Fear Free Helpline", "0808 80 10 800"),
        "scotland": ("Domestic Abuse and Forced Marriage Helpline", "0800 027 1234"),
        "northern_ireland": ("Domestic and Sexual Abuse Helpline", "0808 802 1414"),
    }
    for nation, (name, phone) in expected.items():
        slots = profile_slots(replace(england, nation=nation), helplines)
        assert name in slots["domestic_abuse_helpline"] and phone in slots["domestic_abuse_helpline"]
        assert slots["domestic_abuse_phone"] == phone
        others = [p for n, (_, p) in expected.items() if n != nation]
        assert not any(p in slots["domestic_abuse_helpline"] for p in others)


def test_every_domestic_abuse_helpline_says_where_it_was_checked():
    import yaml

    from actions.content import CONTENT_DIR
    from actions.signposts import DOMESTIC_ABUSE_SERVICES

    raw = yaml.safe_load((CONTENT_DIR / "helplines.yml").read_text(encoding="utf-8"))
    for key in DOMESTIC_ABUSE_SERVICES:
        assert raw[key]["checked_at"] and all(a.startswith("https://") for a in raw[key]["checked_at"]), key
        assert raw[key]["hours"] and raw[key]["source"], key
    silent = raw["emergency"]["silent_solution"]
    assert silent["press"] == "55" and silent["checked_at"] and silent["source"]
