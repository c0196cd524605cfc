"""Code: ACLED fields for assembled mentions — merging within a report, geo precision,
an English ``notes`` sentence and a confidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from marsad.extract.assemble import Mention, lowest_toll
from marsad.models import Actor, Event, Evidence, Location, Quantity
from marsad.text.normalize import name_key

_VERBS = {
    "armed_clash": "clashed with {a2}",
    "government_regains_territory": "regained control of {place}",
    "non_state_actor_overtakes_territory": "took control of {place}",
    "chemical_weapon": "used chemical weapons in {place}",
    "air_drone_strike": "carried out air or drone strikes on {place}",
    "suicide_bomb": "carried out a suicide bombing in {place}",
    "shelling_artillery_missile_attack": "shelled {place}",
    "remote_explosive_landmine_ied": "an explosive device detonated in {place}",
    "grenade": "threw a grenade in {place}",
    "sexual_violence": "committed sexual violence in {place}",
    "attack": "attacked {a2} in {place}",
    "abduction_forced_disappearance": "abducted people in {place}",
    "peaceful_protest": "demonstrated in {place}",
    "protest_with_intervention": "demonstrated in {place} and were dispersed by {a2}",
    "excessive_force_against_protesters": "used force against protesters in {place}",
    "violent_demonstration": "rioted in {place}",
    "mob_violence": "a mob attacked people in {place}",
    "agreement": "reached or carried out an agreement in {place}",
    "arrests": "arrested people in {place}",
    "change_to_group_activity": "changed group activity in {place}",
    "disrupted_weapons_use": "disrupted weapons use in {place}",
    "headquarters_or_base_established": "established a base in {place}",
    "looting_property_destruction": "looted or destroyed property in {place}",
    "non_violent_transfer_of_territory": "territory changed hands without fighting in {place}",
    "other": "a significant development took place in {place}",
}


def merge_mentions(mentions: Sequence[Mention]) -> list[Mention]:
    """One mention per (sub-event type, place, day): evidence joined, lowest casualty figures,
    the most precise place kept. Then drop province/countryside mentions covered by a town."""
    typed_here = {m.sub_event_type for m in mentions if not m.fallback_place}
    mentions = [m for m in mentions if not (m.fallback_place and m.sub_event_type in typed_here)]
    merged: dict[tuple[str, str, dt.date | None], Mention] = {}
    for m in mentions:
        key = (m.sub_event_type, _place_key(m), m.date)
        have = merged.get(key)
        if have is None:
            have = _near_day(merged, m)
        if have is None:
            merged[key] = m
            continue
        have.evidence.extend(e for e in m.evidence if e not in have.evidence)
        lowest_toll(have, m)
        have.injured = _lowest(have.injured, m.injured)
        have.quantities.extend(q for q in m.quantities if q not in have.quantities)
        if m.place.geo_precision < have.place.geo_precision:
            have.place = m.place
        if have.carried_actor and not m.carried_actor:
            have.actor1, have.assoc1, have.carried_actor = m.actor1, m.assoc1, False
        if have.actor2 is None:
            have.actor2 = m.actor2
        have.weight = max(have.weight, m.weight)
        have.fallback_place = have.fallback_place and m.fallback_place
    out = _fold_same_place(list(merged.values()))
    towns = {
        (m.sub_event_type, m.place.entry.admin1)
        for m in out
        if m.place.geo_precision == 1 and m.place.entry is not None
    }
    return [
        m for m in out if not (_area_level(m) and m.place.entry and (m.sub_event_type, m.place.entry.admin1) in towns)
    ]


def _area_level(m: Mention) -> bool:
    """A province or countryside mention (not a town, nor a point near a town)."""
    t = m.place.toponym
    return t.relation in ("province", "countryside") or (m.place.entry is not None and m.place.entry.kind == "admin1")


_PROTEST_SEVERITY = {
    "peaceful_protest": 0,
    "protest_with_intervention": 1,
    "violent_demonstration": 2,
    "excessive_force_against_protesters": 3,
}
_TAKEOVERS = frozenset({"government_regains_territory", "non_state_actor_overtakes_territory"})


def _fold_same_place(mentions: list[Mention]) -> list[Mention]:
    """One protest event per place and day (the most severe form: dispersal or lethal force
    turns the protest into that event), and the fighting for a place folds into its takeover."""
    by_place: dict[tuple[str, dt.date | None], list[Mention]] = {}
    for m in mentions:
        by_place.setdefault((_place_key(m), m.date), []).append(m)
    drop: set[int] = set()
    for group in by_place.values():
        protests = [m for m in group if m.sub_event_type in _PROTEST_SEVERITY]
        if len(protests) > 1:
            worst = max(protests, key=lambda m: _PROTEST_SEVERITY[m.sub_event_type])
            for m in protests:
                if m is not worst:
                    worst.evidence.extend(e for e in m.evidence if e not in worst.evidence)
                    drop.add(id(m))
        if any(m.sub_event_type in _TAKEOVERS for m in group):
            drop.update(id(m) for m in group if m.sub_event_type == "armed_clash")
    return [m for m in mentions if id(m) not in drop]


def _near_day(merged: dict[tuple[str, str, dt.date | None], Mention], m: Mention) -> Mention | None:
    """A mention whose day was carried from another sentence joins the same event a day apart."""
    if m.date is None:
        return None
    for (sub, place, date), have in merged.items():
        if sub != m.sub_event_type or place != _place_key(m) or date is None:
            continue
        if abs((date - m.date).days) <= 1 and not (have.own_date and m.own_date):
            return have
    return None


def _place_key(m: Mention) -> str:
    if m.place.entry is not None and (m.place.geo_precision == 1 or _borrowed(m)):
        return m.place.entry.id
    return name_key(m.place.toponym.name)


def _borrowed(m: Mention) -> bool:
    """Placed at the city it lies in (an unknown neighbourhood): the same place as the city."""
    return m.place.warning is not None and m.place.entry is not None


def _lowest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def to_event(m: Mention) -> Event:
    location: Location = m.place.location()
    return Event(
        sub_event_type=m.sub_event_type,
        date=m.date,
        time_precision=m.time_precision,
        location=location,
        actor1=m.actor1,
        actor2=m.actor2,
        assoc_actors1=associates(m),
        fatalities=m.fatalities,
        injured=m.injured,
        quantities=tuple(_dedupe(m.quantities)),
        sources=tuple(m.sources),
        evidence=tuple(Evidence(s, e) for s, e in sorted(m.evidence)) + _toll_evidence(m),
        notes=notes(m, location),
        confidence=confidence(m),
    )


def _toll_evidence(m: Mention) -> tuple[Evidence, ...]:
    """The phrase behind the event's death toll, with how it was attached and read."""
    t = m.toll
    if t is None or m.fatalities is None or t.value != m.fatalities:
        return ()
    return (Evidence(t.start, t.end, field="fatalities", value=t.value, rule=t.rule, reading=t.reading),)


def _dedupe(qs: list[Quantity]) -> list[Quantity]:
    seen: set[tuple[str, int]] = set()
    out = []
    for q in qs:
        if (q.what, q.value) not in seen:
            seen.add((q.what, q.value))
            out.append(q)
    return out


def associates(m: Mention) -> tuple[Actor, ...]:
    """Actor 1's associates, without the event's main actors: one actor stands in one place (a list
    read as allies can name the opponent too)."""
    mains = {a.canonical for a in (m.actor1, m.actor2) if a is not None}
    return tuple(a for a in m.assoc1 if a.canonical not in mains)


def notes(m: Mention, location: Location) -> str:
    """One English sentence in ACLED's style."""
    place = location.name_en or location.name
    if location.admin1 and location.admin1 != place:
        place = f"{place} ({location.admin1})"
    when = f"On {m.date.day} {m.date.strftime('%B %Y')}, " if m.date else ""
    a1 = _name(m.actor1) or "unidentified actors"
    assoc = associates(m)
    if assoc:
        a1 += ", with " + " and ".join(a.canonical for a in assoc) + ","
    a2 = _name(m.actor2) or "unidentified actors"
    verb = _VERBS[m.sub_event_type].format(place=place, a2=a2)
    if m.sub_event_type == "armed_clash":
        verb += f" in {place}"
    subject = "" if verb.startswith(("an explosive", "a mob", "territory", "a significant")) else a1 + " "
    text = when + subject + verb + "."
    if m.fatalities:
        text += f" {m.fatalities} reported killed."
    if m.injured:
        text += f" {m.injured} reported injured."
    if m.sources:
        text += " Source: " + ", ".join(s.canonical for s in m.sources[:3]) + "."
    return text[0].upper() + text[1:]


def _name(a: Actor | None) -> str | None:
    return a.canonical if a else None


def confidence(m: Mention) -> float:
    c = m.weight
    if m.place.entry is None:
        c -= 0.1
    if m.fallback_place:
        c -= 0.2
    if m.actor1 is None:
        c -= 0.15
    elif m.carried_actor:
        c -= 0.05
    if m.time_precision > 1:
        c -= 0.05
    return max(0.05, min(0.99, c))
