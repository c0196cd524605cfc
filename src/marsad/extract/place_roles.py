"""Places by role: which places of a sentence an event concerns (a mixin of the assembler).

Containers (``بلدة طفس بريف درعا``: Daraa only locates Tafas), list members, datelines, where
people went, unknown neighbourhoods placed at their city, and the province an event with no
place of its own falls back to.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from marsad.extract.kinds import _country, _same_kind
from marsad.geo.resolve import Resolution
from marsad.lang.lexicon import Entry
from marsad.models import Document
from marsad.text.match import Match, word_key
from marsad.text.normalize import name_key

if TYPE_CHECKING:
    from marsad.extract.assemble import Spans


class PlaceRoles:
    """Needs the assembler's document, spans and indexes (declared here for the type checker)."""

    doc: Document
    s: Spans
    w: dict[str, frozenset[str]]
    sent_of: Sequence[int]
    places_in: dict[int, list[Resolution]]
    provinces: list[Resolution]
    usable_places: list[Resolution]

    def _cue_start(self, i: int) -> int:
        raise NotImplementedError

    def _near_end(self, kind: str, token: int, lo: int, hi: int) -> list[Match[Entry]]:
        raise NotImplementedError

    def _places(self, sent: int) -> list[Resolution]:
        inside = [r for r in self.places_in.get(sent, ()) if not _country(r)]
        out: list[Resolution] = []
        for r in inside:
            if self._is_container(r, inside):
                continue
            out.append(self._within_city(r, inside))
        return out

    def _within_city(self, r: Resolution, inside: list[Resolution]) -> Resolution:
        """A neighbourhood or camp the gazetteer does not know ("حي الجابريات", "أحياء الكوثر")
        is placed at its city, precision 2, keeping its own name: the city named in the same
        sentence, else the last town of the report before it."""
        foreign = (
            r.entry is not None
            and self.s.country is not None
            and r.entry.country != self.s.country
            and r.entry.kind != "country"
        )
        if not foreign and (r.entry is not None or r.toponym.cue not in self.w["quarter_cue"]):
            return r
        towns = [x for x in inside if x.entry is not None and x is not r and x.entry.kind not in ("admin1", "country")]
        if foreign:
            # "منطقة صلاح الدين جنوب العاصمة طرابلس": a namesake abroad is not the place; the
            # town of this report named with it is
            towns = [x for x in towns if x.entry is not None and x.entry.country == self.s.country]
            if not towns:
                return r
        if not towns:
            towns = [x for x in self.s.places if x.entry is not None and x.toponym.token_index < r.toponym.token_index
                     and x.entry.kind not in ("admin1", "country")]  # fmt: skip
        if not towns:
            return r
        city = min(towns, key=lambda x: abs(x.toponym.token_index - r.toponym.token_index))
        near = replace(r.toponym, relation="near")
        reason = (
            f"'{r.toponym.name}' is not in the gazetteer for this country: placed at {city.toponym.name}, "
            "the town named with it"
        )
        return Resolution(near, city.entry, city.candidates, warning=reason)

    def _toward(self, p: Resolution) -> bool:
        """Where people went (``صوب``, ``باتجاه``, ``نحو``, ``إلى مدينة …``), not where it happened."""
        i = p.toponym.token_index
        if self._near_end("toward", i, 0, 2):
            return True
        k = self._cue_start(i)
        return k > 0 and self.doc.tokens[k - 1].text in ("الي", "والي") and self.sent_of[k - 1] == self.sent_of[i]

    def _role_flag(self, p: Resolution) -> str | None:
        """A place that only names an institution (``مستشفى حماة``, ``محكمة بغداد``): where it
        is, or who speaks, not where the event happened."""
        i = p.toponym.token_index
        k = self._cue_start(i)
        before = {
            word_key(self.doc.tokens[j].text) for j in range(max(0, k - 2), k) if self.sent_of[j] == self.sent_of[i]
        }
        if before & self.w["institution_noun"]:
            return "institution"
        return None

    def _from(self, p: Resolution) -> bool:
        i = p.toponym.token_index
        return any(self.doc.tokens[k].text in ("من", "عن") for k in range(max(0, i - 2), i))

    def _containers(self, sent: int) -> list[Resolution]:
        inside = [r for r in self.places_in.get(sent, ()) if not _country(r)]
        return [r for r in inside if self._is_container(r, inside)]

    def _is_container(self, r: Resolution, inside: list[Resolution]) -> bool:
        i = r.toponym.token_index
        if self._near_end("container", i, 0, 3):
            return True
        earlier = [x for x in inside if 0 < i - x.toponym.token_index <= 6 and x is not r]
        if not earlier:
            return False
        if self._listed(r, inside):
            return False
        if r.toponym.relation == "near" and any(0 < i - x.toponym.token_index <= 4 for x in earlier):
            return True  # "قرية كفرناها غربي حلب": Aleppo only says where Kafr Naha is
        if r.toponym.cue in ("قضاء", "ناحيه", "مديريه", "محافظه", "ريف"):
            return True
        k = self._cue_start(i)  # "حي الحمدانية في مدينة حلب": look before the cue word
        if ((k > 0 and self.doc.tokens[k - 1].text == "في") or self.doc.tokens[k].text.startswith("ب")) and any(
            i - x.toponym.token_index <= 6 for x in earlier
        ):
            return True  # "حي الشعار في حلب", "بلدة طفس بدرعا"
        if r.toponym.relation in ("countryside", "province") or (
            r.entry is not None and r.entry.kind in ("admin1", "country")
        ):
            return True
        # "بلدة صيدا في ريف درعا": a bigger place just after a smaller one
        return any(
            x.entry is not None
            and r.entry is not None
            and x.entry.rank < r.entry.rank
            and name_key(x.toponym.name) != name_key(r.toponym.name)
            and x.toponym.relation == "in"
            and r.toponym.relation != "in"
            for x in earlier
        )

    def _listed(self, r: Resolution, inside: list[Resolution]) -> bool:
        """A member of a list ("محافظات البصرة وواسط وكربلاء") is not a container."""
        i = r.toponym.token_index
        word = self.doc.tokens[i].text
        for x in inside:
            if x is r or x.toponym.end > r.toponym.start:
                continue
            gap = self.doc.text[x.toponym.end : r.toponym.start]
            if gap.strip() in ("", "،", ",", "و", "،و") and (word.startswith("و") or "،" in gap or "," in gap):
                return x.toponym.relation == r.toponym.relation
        return False

    def _assign_places(self, typed: list[tuple[Match[Entry], str]], places: list[Resolution]) -> list[list[Resolution]]:
        """Each place goes to the closest trigger before it; places before every trigger ("في
        بلدة صيدا، قصفت ...") go to the first trigger if nothing follows it; then triggers of the
        same event share their places. A dateline ("بغداد –") is no event's place."""
        out: list[list[Resolution]] = [[] for _ in typed]
        early: list[Resolution] = []
        for p in places:
            if self._dateline(p):
                continue
            i = p.toponym.token_index
            left = [k for k, (t, _) in enumerate(typed) if t.first <= i]
            if left:
                out[left[-1]].append(p)
            else:
                early.append(p)
        if early and not out[0]:
            out[0] = early
        for k, (_, sub) in enumerate(typed):
            if not out[k]:
                same = [out[j] for j, (_, other) in enumerate(typed) if _same_kind(other, sub) and out[j]]
                if same:
                    out[k] = list(same[0])
        return out

    def _dateline(self, p: Resolution) -> bool:
        """A place opening the report and followed by a dash or a bracket: where it was filed."""
        i = p.toponym.token_index
        if i > 2:
            return False
        end = p.toponym.end
        after = self.doc.text[end : end + 3].strip()
        return after[:1] in ("-", "–", "—", "(", ":", "/")

    def _previous_place(self, token: int) -> Resolution | None:
        """Where an event with no place of its own happened: the report's province when the
        report names one (ACLED codes unnamed villages at province level), else the last place
        named before it."""
        provinces = self.provinces
        if provinces:
            k = bisect_left([r.toponym.token_index for r in provinces], token)
            return provinces[k - 1] if k else provinces[-1]
        usable = self.usable_places
        if not usable:
            return None
        k = bisect_left([r.toponym.token_index for r in usable], token)
        return usable[k - 1] if k else usable[0]
