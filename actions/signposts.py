"""Sentences that point a parent to people who can help.

Plain Python: turns the deployment profile and the national helplines into
the values that the domain's responses interpolate ({organisation_name},
{advocacy}, {national_advice} ...). Which national services are named depends
on the profile's nation, because some (the Family Rights Group advice line)
serve only one nation.
"""

from __future__ import annotations

from typing import Dict, Mapping

from actions.content import Helpline
from actions.profile import Profile

# Helplines offered for advice about the process, in this order, where they
# serve the profile's nation. Emergency and crisis lines are used elsewhere.
ADVICE_SERVICES = ("family_rights_group",)


def advocacy_sentence(profile: Profile) -> str:
    service = profile.advocacy
    if service is None:
        return "Ask your social worker or the chair if there is an advocacy service for parents near you."
    ways = [part for part in (service.phone, service.url) if part]
    how = f" ({', '.join(ways)})" if ways else ""
    return f"Near you, {service.name}{how} supports parents."


def national_advice_sentence(profile: Profile, helplines: Mapping[str, Helpline]) -> str:
    for key in ADVICE_SERVICES:
        line = helplines.get(key)
        if line is not None and profile.nation in line.nations:
            return (f"The {line.name} gives {line.description}: "
                    f"call {line.phone} ({line.hours}).")
    contact = profile.contact
    return (f"You can ask {profile.organisation_name} about advice for parents: "
            f"call {contact.phone} ({contact.opening_hours}).")


def privacy_notice(profile: Profile) -> str:
    """The short notice at the start: what is kept, how long, who sees it, what
    happens if a parent mentions a risk to a child."""
    return (f"About your privacy: {profile.data_controller} keeps what you type here for "
            f"{profile.retention_days} days after your last message, with phone numbers, emails, "
            f"postcodes and names taken out. Then it is deleted. "
            f"Only {profile.who_can_see} can see it. "
            f"No one reads this chat as you type, so if you tell me a child is at risk I cannot "
            f"pass it on: call 999, or {profile.organisation_name} on {profile.contact.phone}. "
            f'Type "delete my conversation" at any time.')


def profile_slots(profile: Profile, helplines: Mapping[str, Helpline]) -> Dict[str, object]:
    """Slot values for every profile variable the responses use."""
    contact = profile.contact
    out_of_hours = (f"; evenings and weekends: {contact.out_of_hours_phone}"
                    if contact.out_of_hours_phone else "")
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
        "privacy_notice": privacy_notice(profile),
    }
