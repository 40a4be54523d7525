"""Sentences that point a parent to people who can help.

Plain Python: turns the deployment profile and the national helplines into
the values that the domain's responses interpolate ({organisation_name},
{advocacy}, {national_advice} ...). The sentences are in
content/signposts.yml. Which national services are named depends on the
profile's nation, because some (the Family Rights Group advice line) serve
only one nation.
"""

from __future__ import annotations

from typing import Dict, Mapping

from actions.content import Helpline, content
from actions.profile import Profile

# Helplines offered for advice about the process, in this order, where they
# serve the profile's nation. Emergency and crisis lines are used elsewhere.
ADVICE_SERVICES = ("family_rights_group",)
# The domestic abuse helplines, one per nation: the first that serves the
# profile's nation is named to a parent in danger from another adult.
DOMESTIC_ABUSE_SERVICES = (
    "national_domestic_abuse_helpline",
    "live_fear_free",
    "scotland_domestic_abuse_helpline",
    "northern_ireland_domestic_abuse_helpline",
)


def advocacy_sentence(profile: Profile) -> str:
    words = content().signposts
    service = profile.advocacy
    if service is None:
        return words["advocacy.none"]
    ways = [part for part in (service.phone, service.url) if part]
    if not ways:
        return words["advocacy.local"].format(name=service.name)
    return words["advocacy.local_with_contact"].format(name=service.name, ways=", ".join(ways))


def national_advice_sentence(profile: Profile, helplines: Mapping[str, Helpline]) -> str:
    words = content().signposts
    for key in ADVICE_SERVICES:
        line = helplines.get(key)
        if line is not None and profile.nation in line.nations:
            return words["national_advice.helpline"].format(
                name=line.name, description=line.description, phone=line.phone, hours=line.hours
            )
    contact = profile.contact
    return words["national_advice.organisation"].format(
        organisation=profile.organisation_name, phone=contact.phone, hours=contact.opening_hours
    )


def domestic_abuse_line(profile: Profile, helplines: Mapping[str, Helpline]) -> Helpline | None:
    """The domestic abuse helpline for the profile's nation (None if none is listed)."""
    for key in DOMESTIC_ABUSE_SERVICES:
        line = helplines.get(key)
        if line is not None and profile.nation in line.nations:
            return line
    return None


def domestic_abuse_sentence(profile: Profile, helplines: Mapping[str, Helpline]) -> str:
    line = domestic_abuse_line(profile, helplines)
    if line is None:
        return ""
    return content().signposts["domestic_abuse.helpline"].format(name=line.name, phone=line.phone, hours=line.hours)


def privacy_notice(profile: Profile) -> str:
    """The short notice at the start: what is kept, how long, who sees it, what
    happens if a parent mentions a risk to a child."""
    return (
        content()
        .signposts["privacy_notice"]
        .format(
            data_controller=profile.data_controller,
            retention_days=profile.retention_days,
            who_can_see=profile.who_can_see,
            organisation=profile.organisation_name,
            phone=profile.contact.phone,
        )
    )


def profile_slots(profile: Profile, helplines: Mapping[str, Helpline]) -> Dict[str, object]:
    """Slot values for every profile variable the responses use."""
    contact = profile.contact
    out_of_hours = (
        content().signposts["out_of_hours"].format(phone=contact.out_of_hours_phone)
        if contact.out_of_hours_phone
        else ""
    )
    return {
        "profile_loaded": True,
        "organisation_name": profile.organisation_name,
        "contact_team": contact.team,
        "contact_phone": contact.phone,
        "contact_hours": contact.opening_hours,
        "contact_email": contact.email,
        "out_of_hours": out_of_hours,
        "complaints_url": profile.complaints_url,
        "advocacy": advocacy_sentence(profile),
        "national_advice": national_advice_sentence(profile, helplines),
        "domestic_abuse_helpline": domestic_abuse_sentence(profile, helplines),
        "domestic_abuse_phone": getattr(domestic_abuse_line(profile, helplines), "phone", ""),
        "privacy_notice": privacy_notice(profile),
    }
