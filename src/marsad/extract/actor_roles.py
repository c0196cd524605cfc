"""Sides by role: who acted, with which allies, against whom (a mixin of the assembler).

The acting side stands before the trigger or right after a verb; a group named far after it,
after ``مع``/``ضد``/``مواقع``, after a death word, or with a possessive ``ل`` is the side hit or
the victim; the head of a coordinated chain acts and the rest are its allies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from marsad.extract.actors import ARMED, ActorMention
from marsad.extract.kinds import _BOMBS, _CLAIMABLE, _PROTESTS, _unique
from marsad.lang.lexicon import CountryWord, Cue, Entry
from marsad.models import Actor, Document
from marsad.text.match import Match, is_definite, word_key

if TYPE_CHECKING:
    from marsad.extract.assemble import Spans


class ActorRoles:
    """Needs the assembler's document, spans and indexes (declared here for the type checker)."""

    doc: Document
    s: Spans
    w: dict[str, frozenset[str]]
    actors_in: dict[int, list[ActorMention]]
    starting: dict[int, list[Match[Entry]]]
    claimed: ActorMention | None
    first_armed: ActorMention | None
    last_actor: tuple[Actor, tuple[Actor, ...]] | None

    def _near_end(self, kind: str, token: int, lo: int, hi: int) -> list[Match[Entry]]:
        raise NotImplementedError

    def _actors(
        self, t: Match[Entry], sent: int, sub: str
    ) -> tuple[Actor | None, tuple[Actor, ...], Actor | None, bool]:
        here = self.actors_in.get(sent, [])
        if sub in _PROTESTS:
            protesters = [a for a in here if a.actor.inter == 6]
            actor1 = protesters[0].actor if protesters else self._protesters()
            if sub == "violent_demonstration" and actor1 is not None:
                actor1 = Actor(actor1.name, actor1.canonical.replace("Protesters", "Rioters"), 5, actor1.country)
            forces = [a for a in here if a.actor.inter == 1]
            actor2 = forces[0].actor if forces and sub != "peaceful_protest" else None
            if sub == "excessive_force_against_protesters":
                # the side that used force acts; the protesters are the side hit. Named forces, else
                # an armed group named in the sentence, else unidentified gunmen ("رصاص مجهول")
                armed = [a for a in here if a.actor.inter in (2, 3, 4)]
                force = forces[0].actor if forces else armed[0].actor if armed else self._unidentified()
                if force is not None:
                    return force, (), actor1, False
            return actor1, (), actor2, False
        here = self._named_groups(here)
        armed = [a for a in here if a.actor.inter in ARMED and not self._is_target(a) and not self._is_victim(a)]
        targets = [a for a in here if a.actor.inter in ARMED and (self._is_target(a) or self._is_victim(a))]
        carried = False
        # the acting side stands before the trigger, or right after a verb (VSO); an armed group
        # named further on is more often the side hit or the object of a purpose clause
        armed = [a for a in armed if not self._spoken_for(a)]
        verb = not is_definite(self.doc.tokens[t.first].text)  # "السيطرة على ..." is a noun: no VSO subject
        subjects = [
            a
            for a in armed
            if (a.last <= t.first or (verb and a.first - t.last <= 3) or self._by_agent(a))
            and (not a.clitic.endswith("ل") or self._affiliated(a))
        ]
        if sub == "air_drone_strike" and any(a.actor.inter in (1, 8) for a in subjects):
            subjects = [a for a in subjects if a.actor.inter in (1, 8)]  # aircraft belong to states
        if self.claimed is not None and sub in _CLAIMABLE and not any(a.actor.inter in (2, 3, 4) for a in subjects):
            subjects = [self.claimed]
        if not subjects and self.last_actor is None and self.first_armed is None:
            subjects = armed
        if not subjects:
            adjective = self._nationality_after(t)
            if adjective is not None:
                subjects = [adjective]
                armed = [*armed, adjective]
        if not subjects and sub in ("government_regains_territory",) and self.s.country:
            losers = [a for a in armed if a.actor.inter in (2, 3, 4)]
            state = self._state_forces()
            if losers and state is not None:  # "تحرير مدينة تلعفر من قبضة داعش", announced by officials
                return state, (), losers[0].actor, False
        if subjects:
            first = min(subjects, key=lambda a: (abs(a.first - t.first), a.first))
            # the head of a coordinated chain ("قوات النظام وحليفتها روسيا") acts; the rest assist
            chain = self._chain(first, armed) if first in armed else [first]
            actor1 = chain[0].actor
            assoc = tuple(_unique([a.actor for a in chain[1:] if a.actor.canonical != actor1.canonical]))
            self.last_actor = (actor1, assoc)
        elif self.last_actor is not None:
            actor1, assoc = self.last_actor
            carried = True
        elif sub in _BOMBS:
            actor1, assoc = self._unidentified(), ()  # a bomb with no one named behind it
        elif self.first_armed is not None:
            actor1, assoc, carried = self.first_armed.actor, (), True
        else:
            actor1, assoc = None, ()
        actor2 = None
        others = [
            a for a in armed if actor1 is None or (a.actor.canonical != actor1.canonical and a.actor not in assoc)
        ]
        if targets:
            actor2 = targets[0].actor
        elif sub in ("armed_clash", "government_regains_territory", "non_state_actor_overtakes_territory") and others:
            actor2 = others[0].actor
        elif sub in ("attack", "abduction_forced_disappearance", "sexual_violence"):
            victims = [a for a in here if a.actor.inter == 7]
            actor2 = victims[0].actor if victims else self._civilians()
        if actor2 is not None and actor1 is not None and actor2.canonical == actor1.canonical:
            actor2 = None
        return actor1, assoc, actor2, carried

    def _chain(self, head: ActorMention, armed: list[ActorMention]) -> list[ActorMention]:
        ordered = sorted(armed, key=lambda a: a.first)
        k = ordered.index(head)
        # walk back to the start of the chain, then forward
        while k > 0 and self._joined(ordered[k - 1], ordered[k]):
            k -= 1
        chain = [ordered[k]]
        while k + 1 < len(ordered) and self._joined(ordered[k], ordered[k + 1]):
            k += 1
            chain.append(ordered[k])
        return chain

    def _joined(self, a: ActorMention, b: ActorMention) -> bool:
        gap = b.first - a.last
        if gap < 0 or gap > 3:
            return False
        word = self.doc.tokens[b.first].text
        if gap <= 1 and word.startswith("و"):
            return True  # "قوات الجيش وميليشيات رديفة"
        if gap == 0:
            return (
                word.startswith("و")
                or "،" in self.doc.norm[self.doc.tokens[a.last - 1].end : self.doc.tokens[b.first].start]
            )
        return any(
            isinstance(m.payload, Cue) and m.payload.kind == "ally"
            for k in range(a.last, b.first)
            for m in self.starting.get(k, ())
        )

    def _spoken_for(self, a: ActorMention) -> bool:
        """ "مصدر في قيادة شرطة حلب": the force named in an attribution is the speaker, not the actor."""
        return any(
            word_key(self.doc.tokens[k].text) in self.w["speaker_noun"] for k in range(max(0, a.first - 2), a.first)
        )

    def _affiliated(self, a: ActorMention) -> bool:
        """ "قوات تابعة لحكومة الوحدة", "مروحيات تابعة للنظام": the ل names whose forces they are."""
        return a.first > 0 and word_key(self.doc.tokens[a.first - 1].text) in self.w["affiliation_word"]

    def _is_victim(self, a: ActorMention) -> bool:
        """Named right after a death word: "مقتل سبعة مسلحين" are the dead, not the attackers; but
        not after a word naming the perpetrator ("مقتل مدني برصاص مسلحين", "على يد قوات …")."""
        if self._by_agent(a):
            return False
        return bool(self._near_end("kill", a.first, 0, 2))

    def _by_agent(self, a: ActorMention) -> bool:
        """Named shortly after a word that introduces the perpetrator ("برصاص مسلحين", "على يد
        عناصر من تنظيم …"): the group did it."""
        return any(
            word_key(self.doc.tokens[k].text) in self.w["agent_marker"] for k in range(max(0, a.first - 3), a.first)
        )

    def _named_groups(self, here: list[ActorMention]) -> list[ActorMention]:
        """ "مسلحون من حركة الشباب": the gunmen are the named group's."""
        out = []
        for a in here:
            if a.actor.canonical == "Unidentified Armed Group":
                named = [b for b in here if b.actor.inter in (2, 3, 4) and 0 < b.first - a.last <= 2
                         and b.actor.canonical != a.actor.canonical]  # fmt: skip
                if named:
                    continue
            out.append(a)
        return out

    def _nationality_after(self, t: Match[Entry]) -> ActorMention | None:
        """ "غارة جوية روسية": a nationality adjective after the trigger names foreign forces."""
        for m in (*self.starting.get(t.last, ()), *self.starting.get(t.last + 1, ())):
            if isinstance(m.payload, CountryWord):
                iso = m.payload.country
                inter = 1 if iso == self.s.country else 8
                name = self.s.country_names.get(iso, iso)
                actor = Actor(self.doc.text[m.start : m.end], f"Military Forces of {name}", inter, iso)
                return ActorMention(m.first, m.last, actor)
        return None

    def _state_forces(self) -> Actor | None:
        c = self.s.country
        if c is None:
            return None
        return Actor("", f"Military Forces of {self.s.country_names.get(c, c)}", 1, c)

    def _is_target(self, a: ActorMention) -> bool:
        return not self._by_agent(a) and bool(self._near_end("target", a.first, 0, 1))

    def _unidentified(self) -> Actor | None:
        c = self.s.country
        return Actor("", "Unidentified Armed Group", 3, c) if c else None

    def _civilians(self) -> Actor | None:
        c = self.s.country
        return Actor("مدنيين", f"Civilians ({c})", 7, c) if c else None

    def _protesters(self) -> Actor | None:
        c = self.s.country
        if c is None:
            return None
        return Actor("متظاهرون", f"Protesters ({self.s.country_names.get(c, c)})", 6, c)
