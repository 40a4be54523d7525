"""domain/ is split by area, as data/nlu/ is, and loses nothing in the split.

Each domain/<area>.yml declares the intents of data/nlu/<area>.yml and their
answers; profile.yml and session.yml hold what belongs to no area. Buttons
shared by an answer's variations, and repeated slot mappings, are written
once (a YAML anchor), so the parsed lists are one object, not equal copies.
"""

import re

import pytest
import yaml
from domain_files import ROOT, declared_names, domain_files, merged_domain

NOT_AREAS = {"profile.yml", "session.yml"}
FILES = domain_files()
DOMAIN = merged_domain()

# What domain.yml declared when it was split into domain/ (issue 13). Adding
# to the domain needs no change here; removing something does, on purpose.
AT_THE_SPLIT = {
    "intents": """
        ask_what_is_conference ask_why_conference ask_section_47 ask_jargon ask_who_attends
        ask_bring_supporter ask_legal_advice report_not_received cannot_attend choose_not_to_attend
        ask_child_involvement ask_interpreter ask_domestic_abuse ask_venue feeling_nervous
        ask_meeting_steps ask_for_break ask_outcomes ask_cp_plan ask_core_group ask_review_conference
        ask_plan_ending ask_minutes_confidentiality ask_complaint ask_own_case_prediction
        child_in_danger parent_in_crisis greet goodbye thank ask_if_bot ask_for_human show_menu
        out_of_scope insult delete_my_conversation ask_dates give_conference_details affirm deny""",
    "entities": "menu_section date time invalid_date conference_kind milestone nation",
    "slots": """
        profile_loaded organisation_name contact_team contact_phone contact_hours contact_email
        out_of_hours complaints_url advocacy national_advice privacy_notice conference_date
        conference_time conference_date_confirmed confirmed_date conference_kind conference_nation
        asked_dates""",
    "forms": "conference_form",
    "actions": """
        action_load_profile action_explain_jargon action_show_menu action_suggest_topics
        validate_conference_form action_ask_conference_date action_ask_conference_date_confirmed
        action_ask_conference_kind action_ask_conference_nation action_remember_date_question
        action_answer_dates action_offer_chase_message""",
    "responses": """
        utter_what_is_conference utter_why_conference utter_section_47 utter_who_attends
        utter_bring_supporter utter_legal_advice utter_report_not_received utter_cannot_attend
        utter_choose_not_to_attend utter_child_involvement utter_interpreter utter_domestic_abuse
        utter_venue utter_feeling_nervous utter_meeting_steps utter_ask_for_break utter_outcomes
        utter_cp_plan utter_core_group utter_review_conference utter_plan_ending
        utter_minutes_confidentiality utter_complaint utter_cannot_predict utter_child_in_danger
        utter_parent_in_crisis utter_greet utter_goodbye utter_thanks utter_i_am_a_bot
        utter_talk_to_person utter_calm_reply utter_conversation_deleted utter_default
        utter_what_next utter_out_of_scope""",
}


def nlu_intents(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = [block["intent"] for block in data.get("nlu", []) if "intent" in block]
    return list(dict.fromkeys(names))  # an intent may have more than one block of examples


@pytest.mark.parametrize("key", sorted(AT_THE_SPLIT))
def test_nothing_was_lost_in_the_split(key):
    missing = [name for name in AT_THE_SPLIT[key].split() if name not in declared_names(DOMAIN, key)]
    assert missing == [], f"{key} no longer in domain/: {missing}"


def test_the_session_settings_were_kept():
    assert DOMAIN["session_config"] == {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}


def test_no_name_is_declared_in_two_files():
    merged_domain()  # raises, naming both files


def test_every_file_is_a_rasa_3_domain_file():
    for name, data in FILES.items():
        assert str(data.get("version")) == "3.1", f'domain/{name}: version should be "3.1"'


# Second blocks for topics of every area, not areas themselves: other writers'
# voices, and near-misses between neighbouring topics (issue #16).
ACROSS_AREAS = (
    "other_voices.yml",
    "near_misses.yml",
    "third_voices.yml",
    "fourth_voices.yml",
    "fifth_voices.yml",
    "sixth_voices.yml",
    "seventh_voices.yml",
    "eighth_voices.yml",
    "ninth_voices.yml",
    "question_focus.yml",
)


def test_each_area_file_mirrors_its_nlu_file():
    areas = {path.name: nlu_intents(path) for path in sorted((ROOT / "data" / "nlu").glob("*.yml"))}
    across = {name: set(areas.pop(name, [])) for name in ACROSS_AREAS}
    assert set(FILES) - NOT_AREAS == set(areas), "domain/ and data/nlu/ should have the same areas"
    for name, intents in areas.items():
        assert declared_names(FILES[name], "intents") == intents, f"domain/{name} and data/nlu/{name}"
    in_areas = set().union(*map(set, areas.values()))
    for name, intents in across.items():
        assert intents, f"data/nlu/{name} should hold second blocks"
        assert intents <= in_areas, f"data/nlu/{name}: each intent needs its area's block"


def used_in_conversations():
    """Every action and intent a rule, story or test story names."""
    actions, intents = set(), set()
    for folder in ("data/rules", "data/stories", "tests/stories"):
        for path in sorted((ROOT / folder).glob("*.yml")):
            text = path.read_text(encoding="utf-8")
            actions.update(re.findall(r"^\s*-?\s*action: (\w+)", text, re.MULTILINE))
            intents.update(re.findall(r"^\s*-?\s*intent: (\w+)", text, re.MULTILINE))
    return actions, intents


def test_everything_the_conversations_use_is_declared():
    actions, intents = used_in_conversations()
    known = set(declared_names(DOMAIN, "actions")) | set(DOMAIN["responses"]) | set(DOMAIN["forms"])
    rasa_own = {"action_listen", "action_restart", "action_deactivate_loop", "action_default_fallback"}
    assert sorted(actions - known - rasa_own) == []
    assert sorted(intents - set(DOMAIN["intents"]) - {"nlu_fallback"}) == []


def test_every_action_the_action_server_defines_is_declared():
    names = set()
    for path in sorted((ROOT / "actions").glob("*.py")):
        names.update(re.findall(r'def name\(self\)[^:]*:\s+return "(\w+)"', path.read_text(encoding="utf-8")))
    assert names, "no actions found in actions/"
    assert sorted(names - set(declared_names(DOMAIN, "actions"))) == []


@pytest.mark.parametrize("name, variations", sorted(DOMAIN["responses"].items()))
def test_an_answers_shared_buttons_are_written_once(name, variations):
    lists = [v["buttons"] for v in variations if v.get("buttons")]
    for first in lists:
        for other in lists:
            if first == other:
                assert first is other, f"{name}: the same buttons written twice; use an anchor"


def test_the_profile_slots_share_one_mapping():
    slots = FILES["profile.yml"]["slots"]
    mappings = [slot["mappings"] for slot in slots.values()]
    assert len(slots) >= 11 and all(m is mappings[0] for m in mappings)
    assert mappings[0] == [{"type": "custom", "action": "action_load_profile"}]


def test_the_date_slots_write_repeated_lists_once():
    """The "not from a danger or crisis message" list, for one, is written once."""
    seen = {}
    for slot in FILES["dates.yml"]["slots"].values():
        for mapping in slot["mappings"]:
            for key in ("intent", "not_intent"):
                value = mapping.get(key)
                if isinstance(value, list):
                    first = seen.setdefault(tuple(value), value)
                    assert first is value, f"{value} written twice; use an anchor"
