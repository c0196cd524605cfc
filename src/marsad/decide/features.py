"""Features of the learned decisions, computed from what the pipeline already found.

Every feature is a number with a name (``FEATURE_NAMES``): how a place is introduced (cue,
preposition, a distance or an institution in front of it), where it stands (sentence, position,
a list, a container), what the rules made of it (candidates and their flags), and what the
sentences that name it say (trigger classes, weapon and modality cues, actor codes, a
pluperfect, an old year). Words enter only through the lexicons' classes, so a fitted model
holds thresholds over these numbers and no text of the reports it was trained on.

The decision they feed: **site × event type** — does the report assert an event of this type at
this place? ``site_facts`` computes what does not depend on the type once per site;
``site_type_features`` adds the type-specific part.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from marsad.extract.assemble import Mention, Spans
from marsad.extract.incidents import EVENT_TYPE_NAMES, Site
from marsad.lang.lexicon import Cue, Trigger
from marsad.models import EVENT_TYPES, Document
from marsad.text.normalize import name_key

TRIGGER_TYPE = {
    "@bombard": "explosions_remote_violence",
    "@clash": "battles",
    "@control": "battles",
    "@kill": "violence_against_civilians",
    "@protest": "protests",
}
"""The event type a context-dependent trigger class most often tells."""

_PROCLITICS = ("و", "ف", "ب", "ل", "ك")
_KINDS = ("admin1", "admin2", "admin3", "city", "community", "neighbourhood", "country")
_RELATIONS = ("in", "near", "countryside", "province")
_FLAGS = (
    "modal", "background_date", "no_actor", "toward", "container", "dateline", "refers_back", "intercepted",
    "off_topic", "institution", "genre",
)  # fmt: skip
_CUES = (
    "air", "artillery", "ied", "suicide", "kill", "injure", "victim_civilian", "rioting", "intervention",
    "lethal_force", "property", "target", "claim", "plan", "threat", "negation", "background", "offtopic",
    "attribution", "denial", "condemn", "background_sentence", "hypothetical", "failure", "landmark",
    "genre_history", "genre_court", "genre_exercise", "genre_statistic", "genre_funeral",
)  # fmt: skip
_AT = frozenset({"في", "داخل", "وسط", "قرب", "عند", "بين"})
_FROM = frozenset({"من", "عن"})
_TO = frozenset({"الي", "نحو", "صوب", "باتجاه", "اتجاه", "حتي"})
_ON = frozenset({"علي"})
_CLAUSE_BREAK = frozenset("،,؛;.:")
_FAR = 99.0
# what happens to a place as a whole: a takeover, a deal, a handover
_POINT_EVENTS = frozenset(
    {
        "government_regains_territory",
        "non_state_actor_overtakes_territory",
        "agreement",
        "non_violent_transfer_of_territory",
    }
)

SITE_NAMES = (
    "prec", "unresolved", "is_country", "foreign", "n_occ", "first_sent", "first_pos", "in_title", "cued",
    "prev_at", "prev_from", "prev_to", "prev_on", "glued_b", "glued_w", "glued_l", "speaker_before",
    "listed", "contains_other", "inside_other", "has_town_inside", "sites_in_doc", "sites_in_sent",
    "sent_trigger", "trig_dist", "trig_before", "n_cand", "n_unflagged", "fallback", "warned",
    "distance_before", "institution_before", "origin_before", "pluperfect", "old_year", "in_first_sentence",
    *(f"kind={k}" for k in _KINDS), *(f"rel={r}" for r in _RELATIONS),
    *(f"all_{f}" for f in _FLAGS), *(f"any_{f}" for f in _FLAGS),
)  # fmt: skip
TYPE_NAMES = (
    *(f"type={t}" for t in EVENT_TYPE_NAMES),
    "t_dist", "t_before", "t_clause", "t_dist_after",
    "own", "own_unflagged", "own_dist", "own_all_flagged", "own_weight", "own_point_event", "other_unflagged",
    "rules_type", "doc_rules_type",
    "doc_rules_other", "sent_trig_type", "sent_trig_other", "doc_trig_type", "doc_trig_share", "n_doc_types",
    *(f"sent_cue={c}" for c in _CUES), *(f"doc_cue={c}" for c in _CUES), *(f"sent_inter={i}" for i in range(1, 9)),
    "sent_time", "sent_casualty", "published", "n_sent",
)  # fmt: skip
FEATURE_NAMES = (*TYPE_NAMES[: len(EVENT_TYPE_NAMES)], *SITE_NAMES, *TYPE_NAMES[len(EVENT_TYPE_NAMES) :])
"""The columns of a (site, event type) row, in order."""


def trigger_type(cls: str) -> str:
    return TRIGGER_TYPE.get(cls) or EVENT_TYPES.get(cls, "")


@dataclass
class Context:
    """Per-report tables the features read: what each sentence holds."""

    doc: Document
    spans: Spans
    candidates: Sequence[Mention]
    sites: Sequence[Site]
    sentence_of: tuple[int, ...] = ()
    triggers: list[tuple[int, str]] = field(default_factory=list)  # (token, event type) of every trigger
    trig_types_by_sent: dict[int, list[str]] = field(default_factory=dict)
    cue_by_sent: dict[int, set[str]] = field(default_factory=dict)
    inter_by_sent: dict[int, set[int]] = field(default_factory=dict)
    has_time: set[int] = field(default_factory=set)
    has_casualty: set[int] = field(default_factory=set)
    doc_trig_types: Counter[str] = field(default_factory=Counter)
    doc_cue: Counter[str] = field(default_factory=Counter)
    doc_rules_types: set[str] = field(default_factory=set)
    title_keys: set[str] = field(default_factory=set)
    pluperfect: set[int] = field(default_factory=set)  # sentences told as "كان … قد"
    old_year: set[int] = field(default_factory=set)  # sentences naming a year before last year
    site_tokens: dict[int, list[int]] = field(default_factory=dict)  # id(site) -> tokens naming it
    site_sentences: dict[int, set[int]] = field(default_factory=dict)  # id(site) -> sentences naming it
    sites_by_sent: dict[int, list[int]] = field(default_factory=dict)  # sentence -> indexes of sites it names
    triggers_by_sent: dict[int, list[int]] = field(default_factory=dict)  # sentence -> indexes into triggers
    site_marks: list[tuple[int, int]] = field(default_factory=list)  # sorted (token, site index) of every naming
    admin1_towns: Counter[str] = field(default_factory=Counter)  # admin1 -> sites resolved to a town in it

    @classmethod
    def of(cls, doc: Document, spans: Spans, candidates: Sequence[Mention], sites: Sequence[Site]) -> Context:
        sent = doc.token_sentence or tuple(doc.sentence_of(i) for i in range(len(doc.tokens)))
        c = cls(doc, spans, candidates, sites, sent)
        for m in spans.matches:
            p = m.payload
            s = sent[m.first]
            if isinstance(p, Trigger):
                ty = trigger_type(p.cls)
                c.triggers_by_sent.setdefault(s, []).append(len(c.triggers))
                c.triggers.append((m.first, ty))
                c.trig_types_by_sent.setdefault(s, []).append(ty)
                c.doc_trig_types[ty] += 1
            elif isinstance(p, Cue):
                c.cue_by_sent.setdefault(s, set()).add(p.kind)
                c.doc_cue[p.kind] += 1
        for a in spans.actors:
            c.inter_by_sent.setdefault(sent[a.first], set()).add(a.actor.inter)
        c.has_time = {sent[x.first] for x in spans.times if x.date is not None and not x.future}
        c.has_casualty = {sent[x.first] for x in spans.casualties}
        c.doc_rules_types = {EVENT_TYPES[m.sub_event_type] for m in candidates if not m.flags}
        title = doc.raw.title or ""
        c.title_keys = {name_key(w) for w in title.split()}
        pluperfect = spans.words.get("pluperfect_verb", frozenset())
        pub = doc.published
        tokens = doc.tokens
        for n, site in enumerate(sites):
            toks = [r.toponym.token_index for r in site.occurrences]
            c.site_tokens[id(site)] = toks
            c.site_sentences[id(site)] = {sent[i] for i in toks}
            for k in c.site_sentences[id(site)]:
                c.sites_by_sent.setdefault(k, []).append(n)
            c.site_marks.extend((i, n) for i in toks)
            e = site.place.entry
            if e is not None and e.kind not in ("admin1", "country"):
                c.admin1_towns[e.admin1] += 1
        c.site_marks.sort()
        named = set().union(*c.site_sentences.values()) if sites else set()
        for k in named:  # only the sentences that name a place are ever asked about
            sentence = doc.sentences[k]
            first, last = sentence.first_token, sentence.last_token
            if first < last and tokens[first].text in pluperfect:
                opening = {t.text for t in tokens[first : min(last, first + 8)]}
                if "قد" in opening or "وقد" in opening:
                    c.pluperfect.add(k)
            if pub is not None:
                for t in tokens[first:last]:
                    w = t.text
                    if len(w) == 4 and w.isdigit() and 1900 <= int(w) < pub.year - 1:
                        c.old_year.add(k)
                        break
        return c


@dataclass
class SiteFacts:
    """What is known of a site whatever the event type, computed once per site."""

    values: list[float]
    sentences: set[int]
    token: int  # first mention
    # per event type: (nearest trigger's distance in tokens, it stands before the place, no clause
    # break between them, the nearest trigger after the place)
    nearest: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def _key(doc: Document, i: int) -> str:
    return doc.keys[i] if doc.keys else doc.tokens[i].text


def site_facts(ctx: Context, site: Site) -> SiteFacts:
    doc = ctx.doc
    words = ctx.spans.words
    place = site.place
    e = place.entry
    t = place.toponym
    occ = site.occurrences
    sent = ctx.sentence_of
    my_tokens = ctx.site_tokens[id(site)]
    first = min(my_tokens)
    sents = ctx.site_sentences[id(site)]
    prev_words: set[str] = set()
    glued: set[str] = set()
    speaker = distance = institution = origin = False
    for r in occ[:4]:
        i = r.toponym.token_index
        k = i
        while k > 0 and r.toponym.cue and _key(doc, k - 1) == r.toponym.cue:
            k -= 1  # look in front of the cue word ("في بلدة X")
        if k > 0:
            prev_words.add(doc.tokens[k - 1].text)
        word = doc.tokens[k].text
        if word[:1] in _PROCLITICS and word[1:2] != "ا":
            glued.add(word[:1])
        preceding = [_key(doc, j) for j in range(max(0, k - 4), k) if sent[j] == sent[i]]
        speaker = speaker or any(w in words["speaker_noun"] for w in preceding[-3:])
        distance = distance or any(w in words["distance_unit"] for w in preceding)
        institution = institution or any(w in words["institution_noun"] for w in preceding[-2:])
        origin = origin or any(w in words["origin_noun"] for w in preceding[-2:])
    kind = e.kind if e is not None else ""
    towns_inside = e is not None and (
        ctx.admin1_towns[e.admin1] - (kind not in ("admin1", "country")) > 0
    )  # another resolved town in the same first-level area
    lo = bisect_left(ctx.site_marks, (first - 6, -1))
    hi = bisect_right(ctx.site_marks, (first + 6, len(ctx.sites)))
    close = [
        min(ctx.site_tokens[id(ctx.sites[n])])
        for n in {n for _, n in ctx.site_marks[lo:hi]}
        if ctx.sites[n] is not site
    ]
    area = t.relation in ("province", "countryside") or kind in ("admin1", "admin2", "country")
    listed = any(
        doc.tokens[o.toponym.token_index].text.startswith("و")
        or "،" in doc.text[max(0, o.toponym.start - 3) : o.toponym.start]
        for o in occ
    )
    here = [ctx.triggers[j] for j in sorted(j for k in sents for j in ctx.triggers_by_sent.get(k, ()))]
    places = sorted(o.toponym.token_index for o in occ)
    nearest = _FAR
    before = False
    for tok, _ in here:
        d, i, _ = _closest(places, tok)
        if d < nearest:
            nearest, before = d, tok < i
    cands = site.candidates
    all_f = {x.split(":")[0] for x in set.intersection(*(m.flags for m in cands))} if cands else set()
    any_f = {x.split(":")[0] for m in cands for x in m.flags}
    v: list[float] = [
        place.geo_precision, e is None, t.is_country or kind == "country",
        e is not None and ctx.spans.country is not None and e.country != ctx.spans.country,
        len(occ), min(sent[first], 10), first / max(1, len(doc.tokens)), name_key(t.name) in ctx.title_keys,
        bool(t.cue), bool(prev_words & _AT), bool(prev_words & _FROM), bool(prev_words & _TO), bool(prev_words & _ON),
        "ب" in glued, "و" in glued, "ل" in glued, speaker,
        listed, any(f < first for f in close) and area, any(f > first for f in close),
        bool(towns_inside), len(ctx.sites),
        len({n for k in sents for n in ctx.sites_by_sent.get(k, ())}),
        bool(here), min(nearest, 30.0), before, len(cands), sum(1 for m in cands if not m.flags),
        bool(cands) and all(m.fallback_place for m in cands), place.warning is not None,
        distance, institution, origin, bool(sents & ctx.pluperfect), bool(sents & ctx.old_year), 0 in sents,
        *(kind == k for k in _KINDS), *(t.relation == r for r in _RELATIONS),
        *(f in all_f for f in _FLAGS), *(f in any_f for f in _FLAGS),
    ]  # fmt: skip
    return SiteFacts([float(x) for x in v], sents, first, _nearest_by_type(doc, here, places))


def _closest(places: list[int], tok: int) -> tuple[float, int, int]:
    """The distance from token ``tok`` to the nearest of ``places`` (sorted token indices, not
    empty), that place's token (of two at the same distance, the one before), and how many places
    stand before ``tok``. A bisection, so a report that names one place in every sentence stays
    linear."""
    k = bisect_left(places, tok)
    if k == len(places) or (k > 0 and tok - places[k - 1] <= places[k] - tok):
        return float(tok - places[k - 1]), places[k - 1], k
    return float(places[k] - tok), places[k], k


def _nearest_by_type(
    doc: Document, here: list[tuple[int, str]], places: list[int]
) -> dict[str, tuple[float, float, float, float]]:
    """Per event type: the distance from the nearest of its triggers in ``here`` (in token order) to
    the nearest occurrence of the place (``places``: sorted token indices), whether the trigger
    stands before it, whether no clause break lies between them, and the distance from the place to
    the nearest trigger after it."""
    out: dict[str, tuple[float, float, float, float]] = {}
    if not places:
        return out
    for tok, ty in here:
        d, i, k = _closest(places, tok)  # k: the places before the trigger, which comes after them
        old = out.get(ty, (_FAR, 0.0, 0.0, _FAR))
        after = min(old[3], float(tok - places[k - 1])) if k > 0 else old[3]
        if d < old[0]:
            lo, hi = sorted((tok, i))
            between = doc.text[doc.tokens[lo].end : doc.tokens[hi].start]
            clause = not (_CLAUSE_BREAK & set(between))
            out[ty] = (d, float(tok < i), float(clause), after)
        else:
            out[ty] = (old[0], old[1], old[2], after)
    return out


def site_type_features(ctx: Context, site: Site, facts: SiteFacts, event_type: str) -> list[float]:
    """The row of ``FEATURE_NAMES`` for one (site, event type)."""
    return _SiteRows(ctx, site, facts).row(event_type, _DocPart.of(ctx))


@dataclass(frozen=True)
class _DocPart:
    """What every row of a report shares."""

    cues: list[float]
    trig_all: int
    tail: list[float]  # published, number of sentences

    @classmethod
    def of(cls, ctx: Context) -> _DocPart:
        return cls(
            [float(min(ctx.doc_cue.get(c, 0), 5)) for c in _CUES],
            sum(ctx.doc_trig_types.values()),
            [float(ctx.doc.published is not None), float(min(len(ctx.doc.sentences), 30))],
        )


class _SiteRows:
    """What every row of a site shares, computed once; ``row`` adds the event type's part."""

    def __init__(self, ctx: Context, site: Site, facts: SiteFacts) -> None:
        self.ctx, self.site, self.facts = ctx, site, facts
        self.by_type: dict[str, list[Mention]] = {}
        for m in site.candidates:
            self.by_type.setdefault(EVENT_TYPES[m.sub_event_type], []).append(m)
        rules_types = [EVENT_TYPES[m.sub_event_type] for m in site.candidates if not m.flags]
        self.rules_type = max(rules_types, key=rules_types.count) if rules_types else ""
        self.unflagged = len(rules_types)
        self.sent_trig = Counter(ty for s in facts.sentences for ty in ctx.trig_types_by_sent.get(s, ()))
        self.n_sent_trig = sum(self.sent_trig.values())
        cues: set[str] = set()
        inters: set[int] = set()
        for s in facts.sentences:
            cues |= ctx.cue_by_sent.get(s, set())
            inters |= ctx.inter_by_sent.get(s, set())
        self.cues = [float(c in cues) for c in _CUES]
        self.inters = [float(i in inters) for i in range(1, 9)]
        self.context = [float(bool(facts.sentences & ctx.has_time)), float(bool(facts.sentences & ctx.has_casualty))]

    def row(self, t: str, doc: _DocPart) -> list[float]:
        ctx, facts = self.ctx, self.facts
        own = self.by_type.get(t, [])
        own_unflagged = [m for m in own if not m.flags]
        near = facts.nearest.get(t, (_FAR, 0.0, 0.0, _FAR))
        doc_trig_t = ctx.doc_trig_types.get(t, 0)
        head = [float(t == x) for x in EVENT_TYPE_NAMES]
        mid: list[float] = [
            min(near[0], 30.0), near[1], near[2], min(near[3], 30.0),
            len(own), len(own_unflagged),
            min((abs(m.trigger_first - facts.token) for m in own), default=_FAR),
            bool(own) and not own_unflagged, max((m.weight for m in own_unflagged), default=0.0),
            any(m.sub_event_type in _POINT_EVENTS for m in own_unflagged),
            self.unflagged - len(own_unflagged), self.rules_type == t,
            t in ctx.doc_rules_types, len(ctx.doc_rules_types - {t}),
            self.sent_trig.get(t, 0), self.n_sent_trig - self.sent_trig.get(t, 0),
            doc_trig_t, doc_trig_t / doc.trig_all if doc.trig_all else 0.0, len(ctx.doc_rules_types),
        ]  # fmt: skip
        return [*head, *facts.values, *map(float, mid), *self.cues, *doc.cues, *self.inters, *self.context, *doc.tail]


def told_types(ctx: Context) -> list[str]:
    """The event types a report gives any evidence of (a trigger or a candidate of that type):
    the others are not considered at any of its places."""
    told = set(ctx.doc_trig_types) | {EVENT_TYPES[m.sub_event_type] for m in ctx.candidates}
    return [t for t in EVENT_TYPE_NAMES if t in told]


def rows(ctx: Context) -> tuple[list[tuple[Site, str]], list[list[float]]]:
    """Every (site, event type) of a report worth deciding, and its feature row."""
    keys: list[tuple[Site, str]] = []
    out: list[list[float]] = []
    types = told_types(ctx)
    if not types:
        return keys, out
    doc = _DocPart.of(ctx)
    for site in ctx.sites:
        shared = _SiteRows(ctx, site, site_facts(ctx, site))
        for t in types:
            keys.append((site, t))
            out.append(shared.row(t, doc))
    return keys, out
