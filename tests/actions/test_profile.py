import copy

import pytest

from actions.profile import ProfileError, load_profile, parse_profile


def test_shipped_example_profile_loads():
    profile = load_profile()
    assert profile.organisation_name == "Ashdown Borough Council"
    assert profile.nation == "england"
    assert profile.nation_name == "England"
    assert profile.contact.phone == "01632 960 100"
    assert profile.advocacy is not None and profile.advocacy.name


def test_profile_path_from_environment(monkeypatch, profile_data, write_profile):
    profile_data["organisation"]["name"] = "Elsewhere Family Support"
    monkeypatch.setenv("CC_PROFILE", str(write_profile(profile_data)))
    assert load_profile().organisation_name == "Elsewhere Family Support"


@pytest.mark.parametrize(
    "nation, name",
    [
        ("wales", "Wales"),
        ("Scotland", "Scotland"),
        ("northern ireland", "Northern Ireland"),
    ],
)
def test_every_nation_is_accepted(profile_data, nation, name):
    profile_data["nation"] = nation
    assert parse_profile(profile_data).nation_name == name


def test_unknown_nation_names_the_field_and_the_choices(profile_data):
    profile_data["nation"] = "cornwall"
    with pytest.raises(ProfileError) as error:
        parse_profile(profile_data, "profile.yml")
    message = str(error.value)
    assert message.startswith("profile.yml: nation:")
    assert '"cornwall"' in message and "northern_ireland" in message


@pytest.mark.parametrize(
    "path",
    [
        ("organisation", "name"),
        ("contact", "phone"),
        ("contact", "email"),
        ("contact", "opening_hours"),
        ("complaints", "url"),
    ],
)
def test_missing_field_is_named(profile_data, path):
    del profile_data[path[0]][path[1]]
    with pytest.raises(ProfileError, match=rf"profile: {path[0]}\.{path[1]}: is missing"):
        parse_profile(profile_data)


def test_missing_section_is_named(profile_data):
    del profile_data["contact"]
    with pytest.raises(ProfileError, match=r"contact: is missing"):
        parse_profile(profile_data)


@pytest.mark.parametrize(
    "field, value, problem",
    [
        (("contact", "phone"), "12", "not a UK phone number"),
        (("contact", "phone"), "call us", "not a UK phone number"),
        (("contact", "email"), "nobody-at-example", "not an email address"),
        (("complaints", "url"), "http://insecure.example", "starting with https://"),
        (("contact", "phone"), 1632960100, "should be written in quotes"),
    ],
)
def test_bad_values_are_explained(profile_data, field, value, problem):
    profile_data[field[0]][field[1]] = value
    with pytest.raises(ProfileError) as error:
        parse_profile(profile_data)
    assert f"{field[0]}.{field[1]}" in str(error.value)
    assert problem in str(error.value)


def test_advocacy_is_optional(profile_data):
    del profile_data["advocacy"]
    assert parse_profile(profile_data).advocacy is None


def test_optional_out_of_hours_phone_is_still_checked(profile_data):
    profile_data["contact"]["out_of_hours_phone"] = "out of hours"
    with pytest.raises(ProfileError, match="contact.out_of_hours_phone"):
        parse_profile(profile_data)


def test_bad_yaml_gives_the_line(write_profile):
    path = write_profile(text="organisation:\n  name: [unclosed\nnation: england\n")
    with pytest.raises(ProfileError, match=r"profile.yml: is not valid YAML at line \d+"):
        load_profile(path)


def test_missing_file_says_how_to_point_at_one(tmp_path):
    with pytest.raises(ProfileError, match="CC_PROFILE"):
        load_profile(tmp_path / "nope.yml")


def test_not_a_mapping(write_profile):
    with pytest.raises(ProfileError, match="should contain fields"):
        load_profile(write_profile(text="- just\n- a list\n"))


def test_section_given_as_a_single_value(profile_data):
    profile_data["contact"] = "01632 960 100"
    with pytest.raises(ProfileError, match="contact: should be a block of fields"):
        parse_profile(profile_data)


def test_whitespace_is_tidied_not_rejected(profile_data):
    data = copy.deepcopy(profile_data)
    data["organisation"]["name"] = "  Ashdown   Borough Council "
    assert parse_profile(data).organisation_name == "Ashdown Borough Council"


def test_closure_days_and_timescale_overrides(profile_data):
    from datetime import date

    profile = parse_profile(profile_data)
    assert profile.closure_days == (date(2026, 12, 24), date(2026, 12, 31))
    assert set(profile.timescale_overrides) == {"complaint_deadline", "first_review_after_birth"}
    profile_data["timescales"] = {"reports": {"amount": 3, "unit": "working_days", "source": "Local 5.11"}}
    assert parse_profile(profile_data).timescale_overrides["reports"]["amount"] == 3


def test_other_nations_are_listed_once_after_the_main_one(profile_data):
    assert parse_profile(profile_data).nations == ("england",)
    profile_data["other_nations"] = ["Wales", "england", "wales", "northern ireland"]
    assert parse_profile(profile_data).nations == ("england", "wales", "northern_ireland")


@pytest.mark.parametrize(
    "field, value, problem",
    [
        ("other_nations", ["Cornwall"], "other_nations: should be a list of"),
        ("other_nations", "wales", "other_nations: should be a list of"),
        ("closure_days", ["24 December"], "closure_days: should be a list of dates"),
        ("timescales", ["reports"], "timescales: should be a block"),
    ],
)
def test_bad_timescale_settings(profile_data, field, value, problem):
    profile_data[field] = value
    with pytest.raises(ProfileError, match=problem):
        parse_profile(profile_data)


def test_retention_days(profile_data):
    assert parse_profile(profile_data).retention_days == 30
    del profile_data["privacy"]
    assert parse_profile(profile_data).retention_days == 30
    profile_data["privacy"] = {"retention_days": 0}
    with pytest.raises(ProfileError, match="privacy.retention_days: should be a whole number"):
        parse_profile(profile_data)


def test_privacy_defaults(profile_data):
    del profile_data["privacy"]
    profile = parse_profile(profile_data)
    assert profile.data_controller == "Ashdown Borough Council"
    assert profile.who_can_see == "the team that runs this service"


@pytest.mark.parametrize(
    "origins", [["https://www.example.org/"], ["www.example.org"], "https://a.example", ["https://a.example/chat"]]
)
def test_allowed_origins_must_be_origins(profile_data, origins):
    profile_data["web"] = {"allowed_origins": origins}
    with pytest.raises(ProfileError, match="web.allowed_origins: should be a list of origins"):
        parse_profile(profile_data)


def test_allowed_origins_are_read(profile_data):
    profile_data["web"] = {"allowed_origins": ["https://charity.example", "http://localhost:8080"]}
    assert parse_profile(profile_data).allowed_origins == ("https://charity.example", "http://localhost:8080")
