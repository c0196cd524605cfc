"""The ``notes`` sentence of a merged event, written from its merged fields.

A merged event's notes are not any one report's: they are rebuilt from the merged date, place,
actors and figures, so the sentence never contradicts the event's own columns (a note saying "6
reported killed" next to ``fatalities`` 5). ACLED's style: date, who did what where, then figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

_ACTION = {
    "armed_clash": "{a1} clashed with {a2} in {place}",
    "government_regains_territory": "{a1} regained control of {place}",
    "non_state_actor_overtakes_territory": "{a1} took control of {place}",
    "chemical_weapon": "{a1} used chemical weapons in {place}",
    "air_drone_strike": "{a1} carried out air or drone strikes on {place}",
    "suicide_bomb": "{a1} carried out a suicide bombing in {place}",
    "shelling_artillery_missile_attack": "{a1} shelled {place}",
    "remote_explosive_landmine_ied": "an explosive device detonated in {place}",
    "grenade": "{a1} threw a grenade in {place}",
    "sexual_violence": "{a1} committed sexual violence in {place}",
    "attack": "{a1} attacked {a2} in {place}",
    "abduction_forced_disappearance": "{a1} abducted people in {place}",
    "peaceful_protest": "{a1} demonstrated in {place}",
    "protest_with_intervention": "{a1} demonstrated in {place} and were dispersed by {a2}",
    "excessive_force_against_protesters": "{a1} used force against protesters in {place}",
    "violent_demonstration": "{a1} rioted in {place}",
    "mob_violence": "a mob attacked people in {place}",
    "agreement": "{a1} reached or carried out an agreement in {place}",
    "arrests": "{a1} arrested people in {place}",
    "change_to_group_activity": "{a1} changed their activity in {place}",
    "disrupted_weapons_use": "{a1} disrupted weapons use in {place}",
    "headquarters_or_base_established": "{a1} established a base in {place}",
    "looting_property_destruction": "{a1} looted or destroyed property in {place}",
    "non_violent_transfer_of_territory": "territory changed hands without fighting in {place}",
    "other": "a significant development took place in {place}",
}
UNNAMED = "unidentified actors"


def _actor(actor: Mapping[str, Any] | None, allies: Any = None) -> str:
    name = str(actor.get("canonical") or actor.get("name") or "") if actor else ""
    names = [
        str(a.get("canonical") or a.get("name")) for a in allies or [] if a and (a.get("canonical") or a.get("name"))
    ]
    if not name:
        return UNNAMED
    return name + (", with " + " and ".join(names) + "," if names else "")


def _place(location: Mapping[str, Any]) -> str:
    place = str(location.get("name_en") or location.get("name") or "an unnamed place")
    admin1 = location.get("admin1")
    return f"{place} ({admin1})" if admin1 and admin1 != place else place


def _day(value: Any) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"On {day.day} {day.strftime('%B %Y')}, "


def merged_notes(rec: Mapping[str, Any]) -> str:
    """One English sentence (or two, with figures) describing a merged event, from its fields:
    ``date``, ``sub_event_type``, ``location``, ``actor1``/``assoc_actors1``, ``actor2``,
    ``fatalities``/``fatalities_min``/``fatalities_max``, ``injured`` and the number of reports."""
    template = _ACTION.get(str(rec.get("sub_event_type")), "an event took place in {place}")
    text = (_day(rec["date"]) if rec.get("date") else "") + template.format(
        a1=_actor(rec.get("actor1"), rec.get("assoc_actors1")),
        a2=_actor(rec.get("actor2")),
        place=_place(rec.get("location") or {}),
    )
    text = text[0].upper() + text[1:] + "."
    low, high = rec.get("fatalities"), rec.get("fatalities_max")
    if low is not None:
        text += f" {low} reported killed" if low else " No fatalities reported"
        text += f" (reports range from {low} to {high})." if high is not None and high != low else "."
    if rec.get("injured"):
        text += f" {rec['injured']} reported injured."
    reports = int(rec.get("n_reports") or 0)
    if reports > 1:
        text += f" Based on {reports} reports."
    return text
