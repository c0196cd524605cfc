"""Assemble: from spans to event mentions, sentence by sentence.

For each trigger that survives the modality checks (negation, threat, plan, condemnation,
hypothesis, background) the assembler decides the sub-event type from the weapon and actor cues
around it, the places in its scope (a list of towns gives one mention each; a province named
after a town is its container, not another place), the acting side and its allies, the side hit,
the day, the casualties and counts, and the attribution. Mentions of the same sub-event type at
the same place on the same day are merged, and a province- or countryside-level mention is
dropped when the report names a town of that province for the same kind of event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from marsad.extract.actor_roles import ActorRoles
from marsad.extract.actors import ARMED, ActorMention, SourceMention
from marsad.extract.kinds import _country
from marsad.extract.place_roles import PlaceRoles
from marsad.extract.quantities import Casualty, Counted
from marsad.extract.times import TimeExpr
from marsad.geo.resolve import Resolution
from marsad.lang.lexicon import Cue, Entry, Trigger, Unit
from marsad.models import Actor, Document, Quantity, Source
from marsad.text.match import Match, is_definite, longest_first
from marsad.text.normalize import name_key

VIOLENT = frozenset(
    {"@bombard", "@clash", "@kill", "air_drone_strike", "shelling_artillery_missile_attack", "suicide_bomb",
     "remote_explosive_landmine_ied", "grenade", "chemical_weapon"}
)  # fmt: skip
_MODAL_WINDOWS = {"negation": 2, "threat": 12, "plan": 5, "condemn": 8, "hypothetical": 3, "failure": 8, "denial": 14}
_NEEDS_PLACE_AFTER = frozenset({"@control"})
_REPORT_WINDOW_DAYS = 7


class TollBasis(NamedTuple):
    """Why an event has its death toll, for a reviewer: the phrase that states it (original
    offsets), the figure, how the event came to own it and how the figure was read."""

    start: int
    end: int
    value: int
    rule: str  # "only place in the sentence" | "place named after the toll" | tolls.Toll rules
    reading: str  # quantities.Casualty.reading


def basis_of(doc: Document, c: Casualty, rule: str) -> TollBasis | None:
    if c.value is None:
        return None
    lo, hi = c.phrase
    start, end = doc.token_span(lo, hi)
    return TollBasis(start, end, c.value, rule, c.reading)


def lowest_toll(have: Mention, other: Mention) -> None:
    """``have`` keeps the lowest death toll of the two, with its basis."""
    if other.fatalities is not None and (have.fatalities is None or other.fatalities < have.fatalities):
        have.fatalities, have.toll = other.fatalities, other.toll


@dataclass
class Mention:
    """One event as one report states it, before coding."""

    sub_event_type: str
    place: Resolution
    date: dt.date | None
    time_precision: int
    actor1: Actor | None
    assoc1: tuple[Actor, ...]
    actor2: Actor | None
    fatalities: int | None
    injured: int | None
    quantities: list[Quantity]
    sources: list[Source]
    evidence: list[tuple[int, int]]
    weight: float
    fallback_place: bool = False
    carried_actor: bool = False
    own_date: bool = True  # the day comes from the event's own sentence
    trigger_text: str = ""
    notes_parts: dict[str, str] = field(default_factory=dict)
    # why the rules would not code it (empty: the rules code it); a learned decision may still
    # keep it. "modal:<kind>", "background", "no_actor", "toward", "container", "dateline", …
    flags: set[str] = field(default_factory=set)
    trigger_first: int = 0  # token range of the trigger
    trigger_last: int = 0
    sentence: int = 0
    trigger_cls: str = ""  # the lexicon class of the trigger ("@bombard", "arrests", …)
    toll: TollBasis | None = None  # why ``fatalities`` is what it is


@dataclass(frozen=True, slots=True)
class Spans:
    """Everything the recognisers found in one document."""

    matches: Sequence[Match[Entry]]
    places: Sequence[Resolution]
    actors: Sequence[ActorMention]
    sources: Sequence[SourceMention]
    times: Sequence[TimeExpr]
    casualties: Sequence[Casualty]
    counts: Sequence[Counted]
    country: str | None
    country_names: dict[str, str]
    words: dict[str, frozenset[str]]


def assemble(doc: Document, spans: Spans) -> list[Mention]:
    return _Assembler(doc, spans).run()


class _Assembler(PlaceRoles, ActorRoles):
    def __init__(self, doc: Document, spans: Spans) -> None:
        self.doc = doc
        self.s = spans
        self.w = spans.words
        self.sent_of = doc.token_sentence or tuple(doc.sentence_of(i) for i in range(len(doc.tokens)))
        sent_of = self.sent_of
        # indexes built once, so that every lookup below is by sentence or by token (linear time
        # in the length of the report, however many triggers it has)
        self.cues: dict[str, list[Match[Entry]]] = {}
        self.cue_sent: dict[tuple[str, int], list[Match[Entry]]] = {}
        self.cue_end: dict[tuple[str, int], list[Match[Entry]]] = {}  # (kind, last token)
        self.starting: dict[int, list[Match[Entry]]] = {}  # every match by its first token
        for m in spans.matches:
            self.starting.setdefault(m.first, []).append(m)
            if isinstance(m.payload, Cue):
                kind = m.payload.kind
                self.cues.setdefault(kind, []).append(m)
                self.cue_sent.setdefault((kind, sent_of[m.first]), []).append(m)
                self.cue_end.setdefault((kind, m.last), []).append(m)
        self.actors_in: dict[int, list[ActorMention]] = {}
        self.actor_at: set[int] = set()
        for a in spans.actors:
            self.actors_in.setdefault(sent_of[a.first], []).append(a)
            self.actor_at.add(a.first)
        self.places_in: dict[int, list[Resolution]] = {}
        for r in spans.places:
            self.places_in.setdefault(sent_of[r.toponym.token_index], []).append(r)
        self.times_in: dict[int, list[TimeExpr]] = {}
        for x in spans.times:
            self.times_in.setdefault(sent_of[x.first], []).append(x)
        self.casualties_in: dict[int, list[Casualty]] = {}
        for c in spans.casualties:
            self.casualties_in.setdefault(sent_of[c.first], []).append(c)
        self.place_cue_start = {c.last: c.first for c in self.cues.get("place", ())}
        self.counts_in: dict[int, list[Counted]] = {}
        for q in spans.counts:
            self.counts_in.setdefault(sent_of[q.first], []).append(q)
        blocked = {t for src in spans.sources for t in range(src.first, src.last)}
        for r in spans.places:
            blocked.add(r.toponym.token_index)
        for x in spans.times:
            blocked.update(range(x.first, x.last))  # "فجر اليوم" is dawn, not "blew up"
        # a trigger word inside a longer actor name ("قوات مكافحة الشغب") is part of the name
        inside_actor = {t for a in spans.actors if a.last - a.first > 1 for t in range(a.first, a.last)}
        trig = [
            m
            for m in spans.matches
            if isinstance(m.payload, Trigger)
            and m.first not in blocked
            and not (m.last - m.first == 1 and m.first in inside_actor and m.first not in self.actor_at)
        ]
        self.triggers = longest_first(trig)
        self.triggers_in: dict[int, list[Match[Entry]]] = {}
        for t in self.triggers:
            self.triggers_in.setdefault(sent_of[t.first], []).append(t)
        usable = [r for r in spans.places if not _country(r) and r.entry is not None]
        self.usable_places = sorted(usable, key=lambda r: r.toponym.token_index)
        self.provinces = [r for r in self.usable_places if r.entry is not None and r.entry.kind == "admin1"]
        self.air_mode = self._air_mode()
        self.last_actor: tuple[Actor, tuple[Actor, ...]] | None = None
        self.first_armed = next(
            (a for a in spans.actors if a.actor.inter in ARMED and not self._is_target(a) and not self._is_victim(a)),
            None,
        )
        self.focus_date: tuple[dt.date, int] | None = None
        self._dateline_day: tuple[dt.date, int] | None = None
        self.claimed = self._claimed()
        self.speakers = self._speakers()
        self._every_source: list[Source] | None = None
        self._sources_in: dict[int, list[Source]] = {}

    def _near_end(self, kind: str, token: int, lo: int, hi: int) -> list[Match[Entry]]:
        """Cues of a kind ending between ``lo`` and ``hi`` tokens before ``token``."""
        out: list[Match[Entry]] = []
        for d in range(lo, hi + 1):
            out.extend(self.cue_end.get((kind, token - d), ()))
        return out

    def _claimed(self) -> ActorMention | None:
        """The group that claimed the attack ("تبنّت الحركة المسلحة التفجير في بيان")."""
        for c in self.cues.get("claim", ()):
            sent = self.sent_of[c.first]
            groups = [a for a in self.actors_in.get(sent, ()) if a.actor.inter in (2, 3, 4)]
            if groups:
                return min(groups, key=lambda a: abs(a.first - c.first))
        return None

    # ------------------------------------------------------------------ helpers
    def _in_sentence(self, kind: str, sent: int) -> list[Match[Entry]]:
        return self.cue_sent.get((kind, sent), [])

    def _air_mode(self) -> bool:
        air = len(self.cues.get("air", ())) + sum(
            1 for t in self.triggers if isinstance(t.payload, Trigger) and t.payload.cls == "air_drone_strike"
        )
        ground = len(self.cues.get("artillery", ())) + sum(
            1
            for t in self.triggers
            if isinstance(t.payload, Trigger) and t.payload.cls == "shelling_artillery_missile_attack"
        )
        return air > ground

    def _off_topic(self) -> bool:
        off = len(self.cues.get("offtopic", ()))
        violent = sum(1 for t in self.triggers if isinstance(t.payload, Trigger) and t.payload.cls in VIOLENT)
        armed = sum(1 for a in self.s.actors if a.actor.inter in ARMED)
        return off >= 4 and off > 2 * (violent + armed)

    def _modal(self, t: Match[Entry], sent: int) -> str | None:
        """Why the trigger does not tell an event that happened now (``"modal:<kind>"``), or None."""
        cls = t.payload.cls if isinstance(t.payload, Trigger) else ""
        for kind, window in _MODAL_WINDOWS.items():
            if kind == "failure" and cls in VIOLENT:
                continue  # "بعد انهيار المحادثات تابعت المدفعية القصف": the talks failed, the shelling did not
            for c in self._in_sentence(kind, sent):
                if c.last <= t.first and t.first - c.last < window:
                    return f"modal:{kind}"
        for c in self._in_sentence("background", sent):
            if -2 <= t.first - c.last < 4:
                return "modal:background"
        if self._in_sentence("background_sentence", sent):
            return "modal:background_sentence"
        if self._old_year(sent):
            return "modal:old_year"
        if self._near_end("landmark", t.first, 0, 1):
            return "modal:landmark"  # "ساحة التحرير" names a square
        if any(x.future and abs(x.first - t.last) < 6 for x in self.times_in.get(sent, ())):
            return "modal:future"
        return None

    # ------------------------------------------------------------------ main
    def run(self) -> list[Mention]:
        """Every candidate mention, each with the ``flags`` that make the rules drop it."""
        off_topic = self._off_topic()
        out: list[Mention] = []
        by_sentence: dict[int, list[Match[Entry]]] = {}
        for t in self.triggers:
            by_sentence.setdefault(self.sent_of[t.first], []).append(t)
        for sent in range(len(self.doc.sentences)):
            self._advance_focus(sent)
            triggers = by_sentence.get(sent, [])
            modal = {id(t): self._modal(t, sent) for t in triggers}
            out.extend(self._sentence(sent, [t for t in triggers if modal[id(t)] is None]))
            hedged = [t for t in triggers if modal[id(t)] is not None]
            if hedged:
                # told as negated, planned, threatened, background …: candidates only, and they
                # change nothing carried to later sentences (the acting side)
                saved = self.last_actor
                for m in self._sentence(sent, hedged):
                    m.flags.add(next(modal[id(t)] for t in hedged if t.first == m.trigger_first) or "modal")
                    out.append(m)
                self.last_actor = saved
        if off_topic:
            for m in out:
                m.flags.add("off_topic")
        return out

    def _advance_focus(self, sent: int) -> None:
        """The report's own day (its dateline, "اليوم الخميس") is the default for its events."""
        if self.focus_date is not None or sent > 1:
            return
        usable = [
            x
            for x in self.times_in.get(sent, ())
            if x.date and not x.future and not x.since and self._in_window(x.date)
        ]
        # a day the report's first sentence tells ("أمس الثلاثاء") over the date of its dateline
        told = [x for x in usable if x.first > _DATELINE_TOKENS or sent > 0]
        if told and told[0].date is not None:
            self.focus_date = (told[0].date, told[0].precision)
        elif usable and usable[0].date is not None and self._dateline_day is None:
            self._dateline_day = (usable[0].date, usable[0].precision)
        if self.focus_date is None and sent == 1:
            self.focus_date = self._dateline_day

    def _old_year(self, sent: int) -> bool:
        """A year well before publication ("آذار 1968") makes the sentence history."""
        pub = self.doc.published
        if pub is None:
            return False
        s = self.doc.sentences[sent]
        for tok in self.doc.tokens[s.first_token : s.last_token]:
            if len(tok.text) == 4 and tok.text.isdigit() and 1900 <= int(tok.text) < pub.year - 1:
                return True
        return False

    def _in_window(self, date: dt.date) -> bool:
        pub = self.doc.published
        return pub is None or pub - dt.timedelta(days=_REPORT_WINDOW_DAYS) <= date <= pub + dt.timedelta(days=1)

    def _sentence(self, sent: int, triggers: list[Match[Entry]]) -> list[Mention]:
        typed: list[tuple[Match[Entry], str]] = []
        violent_here = any(isinstance(t.payload, Trigger) and t.payload.cls in VIOLENT - {"@kill"} for t in triggers)
        for t in triggers:
            sub = self._type(t, sent, violent_here)
            if sub is not None:
                typed.append((t, sub))
        stopped: set[int] = set()
        if any(sub == "disrupted_weapons_use" for _, sub in typed):
            # "اعتراض وتدمير طائرة مسيرة مفخخة": the drone or missile named was stopped, it did not strike
            stopped = {id(t) for t, sub in typed if sub in _STOPPED}
        if not typed:
            return []
        places = self._places(sent)
        assigned = self._assign_places([x for x in typed if id(x[0]) not in stopped], places)
        out: list[Mention] = []
        k = -1
        for t, sub in typed:
            if id(t) in stopped:
                mine: list[Resolution] = []
                for m in self._candidates(sent, t, sub, mine, places):
                    m.flags.add("intercepted")
                    out.append(m)
                continue
            k += 1
            out.extend(self._candidates(sent, t, sub, assigned[k], places))
        return out

    def _candidates(
        self, sent: int, t: Match[Entry], sub: str, mine: list[Resolution], places: list[Resolution]
    ) -> list[Mention]:
        """The mentions of one typed trigger: one per place it is given, each flagged with what
        makes the rules drop it; places the rules pass over (where people went, containers, the
        dateline) come as flagged candidates too."""
        extra: list[tuple[Resolution, str]] = [(p, "toward") for p in mine if self._toward(p)]
        mine = [p for p in mine if not self._toward(p)]
        fallback = False
        if sub == "non_violent_transfer_of_territory":
            mine = [p for p in places if p.toponym.token_index >= t.last and self._from(p)] or [
                p for p in places if p.toponym.token_index < t.first and not self._toward(p)
            ]
            if not mine:
                return []  # "تراجعت القوات نحو بلدة مجاورة": where they went is not what changed hands
        if isinstance(t.payload, Trigger) and t.payload.cls in _NEEDS_PLACE_AFTER:
            after = [p for p in places if p.toponym.token_index >= t.last and not self._toward(p)]
            mine = [p for p in mine if p.toponym.token_index >= t.last] or after[:1]
            if not mine:
                return []
        if not mine and sub not in _POINT_EVENTS and not is_definite(self.doc.tokens[t.first].text):
            mine = [p for p in places if not self._dateline(p)]  # "وسط معارك عنيفة": where the sentence is
        containers = self._containers(sent)
        if not mine:
            mine = containers[:1]
        else:
            extra.extend((p, "container") for p in containers)
        extra.extend((p, "dateline") for p in places if self._dateline(p) and p not in mine)
        borrowed: str | None = None
        if not mine:
            prev = self._previous_place(t.first)
            if prev is None:
                return []
            if is_definite(self.doc.tokens[t.first].text):
                # "الضربات الجوية" with no place of its own refers back to an event told already
                borrowed = "refers_back"
            mine, fallback = [prev], True
        flags: set[str] = {borrowed} if borrowed else set()
        genre = next((kind for kind in _GENRES if self._in_sentence(kind, sent)), None)
        if genre is not None:
            flags.add("genre")  # a trial, an exercise, an anniversary tells no new event
        date, precision, background, own_date = self._date(t, sent)
        if background:
            flags.add("background_date")
        saved = self.last_actor
        actor1, assoc1, actor2, carried = self._actors(t, sent, sub)
        if actor1 is None and (sub in _NEEDS_ACTOR or sub in _REMOTE) and not self._weapon_named(sent):
            flags.add("no_actor")  # "دكّ الأهلي شباك الزمالك", "حملة تستهدف مليون طفل"
        if actor1 is None and sub == "attack":
            if not (isinstance(t.payload, Trigger) and t.payload.cls == "@kill"):
                flags.add("no_actor")  # no one attacked anyone
            else:
                actor1 = self._unidentified()  # "قتل مدني برصاص مجهولين"
        if flags:
            self.last_actor = saved  # what the rules drop carries nothing to later sentences
        sub = _by_actor(sub, actor1)
        if sub in _TAKEOVERS and self._building_taken(t):
            sub = "armed_clash"  # "السيطرة على مقر البلدية": a building, not the place itself
        if sub == "arrests" and any(c.kind == "kill" and c.value for c in self._sentence_casualties(sent)):
            sub = "attack" if self._civilian_victims(sent) else "armed_clash"  # a raid that killed
        casualties = self._casualties(sent, mine)
        out: list[Mention] = []
        placed = [(p, self._role_flag(p) or "") for p in mine]
        for place, role in placed + extra:
            fat, inj, toll = casualties.get(id(place), (None, None, None))
            victims2 = actor2
            if fat and victims2 is None and sub not in ("armed_clash",) and self._civilian_victims(sent):
                victims2 = self._civilians()
            if role == "" and victims2 is not actor2:
                actor2 = victims2  # as the rules always did: the first place's victims name the side hit
            out.append(
                Mention(
                    sub_event_type=sub,
                    place=place,
                    date=date,
                    time_precision=precision,
                    actor1=actor1,
                    assoc1=assoc1,
                    actor2=victims2,
                    fatalities=fat,
                    injured=inj,
                    toll=toll,
                    quantities=self._quantities(sent),
                    sources=self._sources(sent),
                    evidence=[(self.doc.sentences[sent].start, self.doc.sentences[sent].end)],
                    weight=t.payload.weight if isinstance(t.payload, Trigger) else 0.5,
                    fallback_place=fallback,
                    carried_actor=carried,
                    own_date=own_date,
                    trigger_text=self.doc.text[t.start : t.end],
                    flags=flags | ({role} if role else set()),
                    trigger_first=t.first,
                    trigger_last=t.last,
                    sentence=sent,
                    trigger_cls=t.payload.cls if isinstance(t.payload, Trigger) else "",
                )
            )
        return out

    # ------------------------------------------------------------------ type
    def _type(self, t: Match[Entry], sent: int, violent_here: bool) -> str | None:
        trig = t.payload
        assert isinstance(trig, Trigger)
        cls = trig.cls
        word = name_key(self.doc.text[t.start : t.end].split()[0])  # the trigger word, without clitics
        if cls == "@bombard":
            weapon = self._weapon(t, sent)
            if weapon is None and word in self.w["weak_hit"] and not self._strike_noun_after(t):
                return None  # "حملة اعتقالات طالت عدداً من الشبان"
            return weapon or ("air_drone_strike" if self.air_mode else "shelling_artillery_missile_attack")
        if cls == "@kill":
            here = self.actors_in.get(sent, [])
            if any(a.actor.inter == 6 for a in here) or any(
                isinstance(x.payload, Trigger) and x.payload.cls == "@protest" for x in self.triggers_in.get(sent, ())
            ):
                return "excessive_force_against_protesters"  # "قتل متظاهران برصاص قوات الأمن"
            if violent_here:
                return None  # a casualty of the strike or clash in the same sentence
            weapon = self._weapon(t, sent)
            return weapon or "attack"
        if cls == "@clash":
            here = self.actors_in.get(sent, [])
            rioters = [a for a in here if a.actor.inter in (5, 6) and abs(a.first - t.first) <= 4]
            if self._near(t, "rioting", _CLAUSE) or rioters:
                return "violent_demonstration"  # "اشتبك المحتجون مع عناصر الشرطة"
            sides = {a.actor.canonical for a in here if a.actor.inter in ARMED}
            if len(sides) <= 1 and word in self.w["attack_word"] and self._civilian_victims(sent):
                return "attack"  # "هجوم ... قتل عشرات المدنيين": one armed side, civilian dead
            return "armed_clash"
        if cls == "@control":
            if self._counted_after(t):
                return None  # "سقوط مئات القذائف", "سقوط قتلى": shells or casualties fell, not a town
            return "government_regains_territory"  # who took the place decides (``_by_actor``)
        if cls == "@protest":
            kills = [
                x for x in self.triggers_in.get(sent, ()) if isinstance(x.payload, Trigger) and x.payload.cls == "@kill"
            ]
            if self._owned(t, "lethal_force") or any(self._owns(t, x.first) for x in kills):
                return "excessive_force_against_protesters"
            if self._owned(t, "rioting"):
                return "violent_demonstration"
            if self._owned(t, "intervention"):
                return "protest_with_intervention"
            return "peaceful_protest"
        if (
            cls == "shelling_artillery_missile_attack"
            and word in self.w["missile_word"]
            and self._weapon(t, sent, own=False) == "air_drone_strike"
        ):
            return "air_drone_strike"  # "قصف الطيران الروسي بالصواريخ الفراغية": missiles from aircraft
        if cls == "remote_explosive_landmine_ied" and word in self.w["explosion_word"]:
            if self._in_sentence("suicide", sent):
                return "suicide_bomb"
            others = [
                x
                for x in self.triggers_in.get(sent, ())
                if x is not t and isinstance(x.payload, Trigger) and x.payload.cls in VIOLENT - {"@kill"}
            ]
            if others and t.last - t.first == 1:
                return None  # "انفجار" caused by the strike or bomb named in the same sentence
        if cls == "violent_demonstration":
            here = self.actors_in.get(sent, [])
            crowd = any(a.actor.inter in (5, 6) for a in here) or any(
                isinstance(x.payload, Trigger) and x.payload.cls == "@protest" for x in self.triggers_in.get(sent, ())
            )
            if not crowd and any(a.actor.inter in ARMED for a in here):
                return "looting_property_destruction"  # armed men who burn shops are not rioters
        if cls == "looting_property_destruction" and word in self.w["property_verb"]:
            near = [c for c in self._in_sentence("property", sent) if t.first < c.first and c.first - t.last <= 8]
            if not near:
                return "suicide_bomb" if self._in_sentence("suicide", sent) else "remote_explosive_landmine_ied"
        return cls if not cls.startswith("@") else None

    def _counted_after(self, t: Match[Entry]) -> bool:
        """A counted noun (shells, missiles) or a casualty word within three words after the
        trigger: what "fell" or "entered" is a number of things, not a place."""
        return any(
            isinstance(m.payload, Unit) or (isinstance(m.payload, Cue) and m.payload.kind in ("kill", "injure"))
            for k in range(t.last, t.last + 3)
            for m in self.starting.get(k, ())
        )

    def _building_taken(self, t: Match[Entry]) -> bool:
        """The object taken is a building (مبنى، مقر، فندق): the fight goes on around it."""
        return any(
            isinstance(m.payload, Cue) and m.payload.kind == "property"
            for k in (t.last, t.last + 1)
            for m in self.starting.get(k, ())
        )

    def _owns(self, t: Match[Entry], token: int) -> bool:
        """Whether a cue at ``token`` belongs to protest trigger ``t``: the last protest trigger
        of the sentence before it (the first one for cues that open the sentence). So in
        "وقفة احتجاجية في إربد، فيما أغلق محتجون الطريق بالإطارات المشتعلة" the burning tyres
        are the second protest's."""
        sent = self.sent_of[t.first]
        protests = [
            x.first
            for x in self.triggers_in.get(sent, ())
            if isinstance(x.payload, Trigger) and x.payload.cls == "@protest"
        ]
        if self.sent_of[token] != sent or not protests:
            return False
        before = [p for p in protests if p <= token]
        owner = before[-1] if before else protests[0]
        return owner == t.first

    def _owned(self, t: Match[Entry], kind: str) -> bool:
        return any(self._owns(t, c.first) for c in self._in_sentence(kind, self.sent_of[t.first]))

    def _near(self, t: Match[Entry], kind: str, reach: int) -> bool:
        """A cue of this kind in the trigger's sentence within ``reach`` tokens of it."""
        sent = self.sent_of[t.first]
        return any(abs(c.first - t.first) <= reach for c in self._in_sentence(kind, sent))

    def _strike_noun_after(self, t: Match[Entry]) -> bool:
        """ "طالت بعض الضربات": a counted strike noun close after a weak verb."""
        return any(
            isinstance(m.payload, Unit) and m.payload.what in ("strikes", "barrel_bombs", "missiles", "shells")
            for k in range(t.last, t.last + 3)
            for m in self.starting.get(k, ())
        )

    def _civilian_victims(self, sent: int) -> bool:
        here = self.actors_in.get(sent, [])
        return any(a.actor.inter == 7 for a in here) or bool(self._in_sentence("victim_civilian", sent))

    def _weapon(self, t: Match[Entry], sent: int, own: bool = True) -> str | None:
        """The weapon named closest to the trigger (``own=False``: not counting cue words
        that are the trigger itself)."""
        best: tuple[int, str] | None = None
        for kind, sub in (
            ("air", "air_drone_strike"),
            ("artillery", "shelling_artillery_missile_attack"),
            ("ied", "remote_explosive_landmine_ied"),
            ("suicide", "suicide_bomb"),
        ):
            for c in self._in_sentence(kind, sent):
                if not own and t.first <= c.first < t.last and c.last <= t.last:
                    continue
                d = abs(c.first - t.first)
                if best is None or d < best[0]:
                    best = (d, sub)
        return best[1] if best else None

    def _weapon_named(self, sent: int) -> bool:
        return any(self._in_sentence(k, sent) for k in ("air", "artillery", "ied", "suicide"))

    # ------------------------------------------------------------------ time
    def _date(self, t: Match[Entry], sent: int) -> tuple[dt.date | None, int, bool, bool]:
        """(day, time precision, is background, day from the event's own sentence)."""
        pub = self.doc.published
        in_sentence = [x for x in self.times_in.get(sent, ()) if not x.future]
        here = [x for x in in_sentence if abs(x.first - t.first) <= _TIME_REACH]
        if not here:  # "وثقت الشبكة أمس مقتل … كما قتل ستة بقصف على …": the sentence's one day, before the trigger
            before = [x for x in in_sentence if x.first < t.first]
            if len(before) == 1 and before[0].date is not None and not before[0].since:
                here = before if self._in_window(before[0].date) else []
        told = [x for x in here if x.first > _DATELINE_TOKENS or sent > 0]
        if told:
            here = told  # "مقديشو-22-3-2023 شنت الحركة أمس هجوما": the dateline dates the filing
        if here:
            x = min(here, key=lambda x: abs(x.first - t.first))
            if x.date is not None:
                if not self._in_window(x.date):
                    return x.date, 1, True, True  # "منذ 19 يونيو": background
                if x.since and self.focus_date is not None and self.focus_date[0] >= x.date:
                    return self.focus_date[0], 1, False, True  # "منذ ليل أمس": still going on that day
                return x.date, x.precision, False, True
        if self.focus_date is not None:
            return self.focus_date[0], self.focus_date[1], False, False
        return pub, 2, False, False

    # ------------------------------------------------------------------ numbers
    def _casualties(
        self, sent: int, places: list[Resolution]
    ) -> dict[int, tuple[int | None, int | None, TollBasis | None]]:
        here = [c for c in self.casualties_in.get(sent, ()) if c.value is not None]
        out: dict[int, tuple[int | None, int | None, TollBasis | None]] = {}
        for c in here:
            target = self._casualty_place(c, places)
            if target is None:
                continue
            fat, inj, toll = out.get(id(target), (None, None, None))
            if c.kind == "kill":
                if fat is None or (c.value is not None and c.value < fat):
                    rule = "only place in the sentence" if len(places) == 1 else "place named after the toll"
                    fat, toll = c.value, basis_of(self.doc, c, rule)
            else:
                inj = c.value if inj is None else inj
            out[id(target)] = (fat, inj, toll)
        return out

    def _sentence_casualties(self, sent: int) -> list[Casualty]:
        return list(self.casualties_in.get(sent, ()))

    def _casualty_place(self, c: Casualty, places: list[Resolution]) -> Resolution | None:
        """The place a casualty figure belongs to: the place named right after it ("بمقتل مدني
        ... في بلدة اليادودة"), or the only place; none when several places share one figure."""
        after = [p for p in places if 0 < p.toponym.token_index - c.last <= 14 and self._after_in(p)]
        if after and len(places) > 1:
            return after[0]
        if len(places) == 1:
            return places[0]
        return None

    def _after_in(self, p: Resolution) -> bool:
        i = p.toponym.token_index
        cue_start = self._cue_start(i)
        k = cue_start - 1
        return k >= 0 and (self.doc.tokens[k].text == "في" or self.doc.tokens[cue_start].text.startswith("ب"))

    def _cue_start(self, i: int) -> int:
        """First token of the cue word in front of a name (``بلدة`` in ``في بلدة اليادودة``)."""
        return self.place_cue_start.get(i, i)

    def _quantities(self, sent: int) -> list[Quantity]:
        return [Quantity(q.what, q.value, q.qualifier) for q in self.counts_in.get(sent, ())]

    def _speakers(self) -> list[SourceMention]:
        """Armed groups and state forces that announce something ("وأعلن الثوار", "قال الجيش
        العراقي") are sources of what they announce."""
        out = []
        actors_from: dict[int, list[ActorMention]] = {}
        for a in self.s.actors:
            actors_from.setdefault(a.first, []).append(a)
        for c in self.cues.get("attribution", ()):
            for a in actors_from.get(c.last, ()):
                if a.actor.inter in ARMED:
                    kind = "official" if a.actor.inter == 1 else "group"
                    out.append(SourceMention(a.first, a.last, Source(a.actor.name, a.actor.canonical, kind)))
        return out

    def _sources(self, sent: int) -> list[Source]:
        """The report's sources, those of the event's own sentence first, each canonical once."""
        if self._every_source is None:
            every = [*self.s.sources, *self.speakers]
            self._every_source = _unique_sources([s.source for s in every])
            for m in every:
                self._sources_in.setdefault(self.sent_of[m.first], []).append(m.source)
        here = _unique_sources(self._sources_in.get(sent, []))
        named = {s.canonical for s in here}
        return here + [s for s in self._every_source if s.canonical not in named]


_GENRES = ("genre_court", "genre_exercise", "genre_history")
_DATELINE_TOKENS = 4  # a date within the first words of a report is its dateline
_TIME_REACH = 10  # tokens: a day named further away in the sentence dates something else
_CLAUSE = 15  # tokens: how far a protest's intervention / violence cue reaches
_STOPPED = frozenset(
    {"air_drone_strike", "shelling_artillery_missile_attack", "remote_explosive_landmine_ied", "suicide_bomb"}
)
_TAKEOVERS = frozenset({"government_regains_territory", "non_state_actor_overtakes_territory"})
_REMOTE = frozenset({"air_drone_strike", "shelling_artillery_missile_attack"})
_POINT_EVENTS = frozenset({"government_regains_territory", "non_state_actor_overtakes_territory", "agreement"})
_NEEDS_ACTOR = frozenset({"armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory"})


def _by_actor(sub: str, actor1: Actor | None) -> str:
    """Types that depend on who acted: taking a place, detaining people."""
    if sub == "@control" or sub in ("government_regains_territory", "non_state_actor_overtakes_territory"):
        state = actor1 is not None and actor1.inter in (1, 8)
        return "government_regains_territory" if state else "non_state_actor_overtakes_territory"
    if sub == "arrests" and actor1 is not None and actor1.inter not in (1, 8):
        return "abduction_forced_disappearance"
    return sub


def _unique_sources(sources: list[Source]) -> list[Source]:
    seen: set[str] = set()
    out: list[Source] = []
    for s in sources:
        if s.canonical not in seen:
            seen.add(s.canonical)
            out.append(s)
    return out
