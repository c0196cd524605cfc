"""Features of the learned decisions, computed from what the pipeline already found.

Every feature is a short string (``"prec=2"``, ``"cue_in_sent=air"``, ``"prev=<word>"``) hashed
to an index (``hashed``), so a fitted model stores numbers only, never text of the reports it
was trained on. Words enter only as their normalised matching keys.

Two decisions use them:

- **site × event type** (``site_type_features``): does the report assert an event of this type
  at this place? Place features (how the place is introduced, where it stands, what the rules
  made of it) are crossed with the event type and with the context of the sentences that name
  the place (trigger classes, cue kinds, actor codes, the rules' flags).
- **document** (``document_features``): does the report describe any event at all?
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from marsad.extract.assemble import Mention, Spans
from marsad.extract.incidents import Site
from marsad.lang.lexicon import Cue, Trigger
from marsad.models import EVENT_TYPES, Document

N_FEATURES = 1 << 18
_ARTICLE_CLITICS = ("و", "ف", "ب", "ل", "ك")


def hashed(names: Iterable[str]) -> list[int]:
    """Feature indices (crc32, stable across runs and platforms), duplicates kept once."""
    return sorted({zlib.crc32(n.encode("utf-8")) % N_FEATURES for n in names})


def _bin(n: int, edges: Sequence[int] = (0, 1, 2, 3, 5, 8)) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


@dataclass
class Context:
    """Per-report tables the features read: what each sentence holds."""

    doc: Document
    spans: Spans
    candidates: Sequence[Mention]
    sites: Sequence[Site]
    trig_by_sent: dict[int, set[str]] = field(default_factory=dict)
    trigword_by_sent: dict[int, set[str]] = field(default_factory=dict)
    cue_by_sent: dict[int, set[str]] = field(default_factory=dict)
    inter_by_sent: dict[int, set[int]] = field(default_factory=dict)
    has_time: set[int] = field(default_factory=set)
    has_casualty: set[int] = field(default_factory=set)
    doc_trig: Counter[str] = field(default_factory=Counter)
    doc_cue: Counter[str] = field(default_factory=Counter)
    title_keys: set[str] = field(default_factory=set)
    pluperfect: set[int] = field(default_factory=set)  # sentences told as "كان … قد"
    old_year: set[int] = field(default_factory=set)  # sentences naming a year before last year

    @classmethod
    def of(cls, doc: Document, spans: Spans, candidates: Sequence[Mention], sites: Sequence[Site]) -> Context:
        c = cls(doc, spans, candidates, sites)
        sent = doc.token_sentence or tuple(doc.sentence_of(i) for i in range(len(doc.tokens)))
        for m in spans.matches:
            p = m.payload
            s = sent[m.first]
            if isinstance(p, Trigger):
                c.trig_by_sent.setdefault(s, set()).add(p.cls)
                c.trigword_by_sent.setdefault(s, set()).add(doc.keys[m.first] if doc.keys else "")
                c.doc_trig[p.cls] += 1
            elif isinstance(p, Cue):
                c.cue_by_sent.setdefault(s, set()).add(p.kind)
                c.doc_cue[p.kind] += 1
        for a in spans.actors:
            c.inter_by_sent.setdefault(sent[a.first], set()).add(a.actor.inter)
        c.has_time = {sent[x.first] for x in spans.times if x.date is not None and not x.future}
        c.has_casualty = {sent[x.first] for x in spans.casualties}
        title = doc.raw.title or ""
        c.title_keys = {_key(w) for w in title.split()} if title else set()
        pluperfect = spans.words.get("pluperfect_verb", frozenset())
        pub = doc.published
        for k, sentence in enumerate(doc.sentences):
            words = [t.text for t in doc.tokens[sentence.first_token : sentence.last_token]]
            if words and words[0] in pluperfect and ("قد" in words[:8] or "وقد" in words[:8]):
                c.pluperfect.add(k)
            if pub is not None and any(len(w) == 4 and w.isdigit() and 1900 <= int(w) < pub.year - 1 for w in words):
                c.old_year.add(k)
        return c

    def sentence(self, token: int) -> int:
        if self.doc.token_sentence:
            return self.doc.token_sentence[token]
        return self.doc.sentence_of(token)


def _key(word: str) -> str:
    from marsad.text.normalize import name_key

    return name_key(word)


def _word(doc: Document, i: int) -> str:
    if 0 <= i < len(doc.tokens):
        return doc.keys[i] if doc.keys else doc.tokens[i].text
    return "<none>"


def _prep(doc: Document, i: int) -> str:
    """The word in front of a place, or the proclitic glued to it (``بـ``, ``و``)."""
    if not (0 <= i < len(doc.tokens)):
        return "<none>"
    return doc.tokens[i].text


def site_features(ctx: Context, site: Site) -> list[str]:
    """What is known about a place, whatever the event type."""
    doc = ctx.doc
    place = site.place
    e = place.entry
    t = place.toponym
    f = [
        "bias",
        f"kind={e.kind if e else 'unknown'}",
        f"prec={place.geo_precision}",
        f"rel={t.relation}",
        f"cue={t.cue or '-'}",
        f"country_is_report={bool(e and e.country == ctx.spans.country)}",
        f"is_country={t.is_country or bool(e and e.kind == 'country')}",
        f"warned={place.warning is not None}",
        f"n_occ={_bin(len(site.occurrences))}",
        f"n_sites={_bin(len(ctx.sites), (1, 2, 3, 5, 8, 13))}",
        f"in_title={_key(t.name) in ctx.title_keys}",
    ]
    first = min(r.toponym.token_index for r in site.occurrences)
    s0 = ctx.sentence(first)
    f.append(f"first_sent={_bin(s0, (0, 1, 2, 3, 5))}")
    f.append(f"first_tok={_bin(first, (2, 5, 10, 20, 40, 80))}")
    for r in site.occurrences[:3]:
        i = r.toponym.token_index
        k = i
        while k > 0 and _word(doc, k - 1) == r.toponym.cue:
            k -= 1
        before = _prep(doc, k - 1)
        f.append(f"prev={before}")
        f.append(f"prev2={_prep(doc, k - 2)}|{before}")
        f.append(f"glued={doc.tokens[i].text[:1] if doc.tokens[i].text[:1] in _ARTICLE_CLITICS else '-'}")
        f.append(f"next={_word(doc, i + len(r.toponym.key.split()))}")
    cands = site.candidates
    f.append(f"n_cand={_bin(len(cands))}")
    unflagged = [m for m in cands if not m.flags]
    f.append(f"n_unflagged={_bin(len(unflagged))}")
    if cands:
        common = set.intersection(*(m.flags for m in cands))
        f.extend(f"all_flag={x.split(':')[0]}" for x in common)
        f.extend(f"any_flag={x}" for x in set().union(*(m.flags for m in cands)))
        f.append(f"fallback={all(m.fallback_place for m in cands)}")
    # the places this one is inside of, and those inside it (a province named with its town)
    if e is not None:
        inside = [
            s
            for s in ctx.sites
            if s is not site and s.place.entry is not None and s.place.entry.admin1 == e.admin1
            and s.place.entry.kind not in ("admin1", "country") and s.candidates
        ]  # fmt: skip
        if e.kind in ("admin1", "country") or t.relation in ("countryside", "province"):
            f.append(f"has_town_inside={bool(inside)}")
    sents = {ctx.sentence(r.toponym.token_index) for r in site.occurrences}
    f.append(f"sent_trig={any(s in ctx.trig_by_sent for s in sents)}")
    return f


def site_type_features(ctx: Context, site: Site, event_type: str, base: Sequence[str]) -> list[str]:
    """``base`` (``site_features``) crossed with ``event_type``, and the type-specific evidence."""
    T = event_type
    f = [f"{T}|{x}" for x in base]
    f.extend(base)  # shared: how likely any event is here
    own = [m for m in site.candidates if EVENT_TYPES[m.sub_event_type] == T]
    f.append(f"{T}|own={_bin(len(own))}")
    f.append(f"{T}|own_unflagged={_bin(sum(1 for m in own if not m.flags))}")
    for m in own:
        f.append(f"{T}|own_sub={m.sub_event_type}")
        f.extend(f"{T}|own_flag={x}" for x in m.flags)
        f.append(f"{T}|own_dist={_bin(abs(m.trigger_first - site.place.toponym.token_index), (1, 2, 4, 8, 16))}")
    for m in site.candidates:
        if EVENT_TYPES[m.sub_event_type] != T:
            f.append(f"{T}|other_sub={m.sub_event_type}")
            f.append(f"{T}|other_unflagged={not m.flags}")
    sents = {ctx.sentence(r.toponym.token_index) for r in site.occurrences}
    for s in sorted(sents)[:3]:
        f.extend(f"{T}|trig_in_sent={x}" for x in ctx.trig_by_sent.get(s, ()))
        f.extend(f"{T}|trigword={x}" for x in ctx.trigword_by_sent.get(s, ()))
        f.extend(f"{T}|cue_in_sent={x}" for x in ctx.cue_by_sent.get(s, ()))
        f.extend(f"{T}|inter_in_sent={x}" for x in ctx.inter_by_sent.get(s, ()))
        f.append(f"{T}|time_in_sent={s in ctx.has_time}")
        f.append(f"{T}|casualty_in_sent={s in ctx.has_casualty}")
    doc_types = {EVENT_TYPES[m.sub_event_type] for m in ctx.candidates if not m.flags}
    f.append(f"{T}|doc_has_type={T in doc_types}")
    f.append(f"{T}|doc_types={_bin(len(doc_types), (0, 1, 2, 3))}")
    f.extend(f"{T}|doc_trig={x}" for x in ctx.doc_trig)
    f.extend(f"{T}|doc_cue={x}" for x in ctx.doc_cue)
    return f


def document_features(ctx: Context) -> list[str]:
    """Does the report describe an event at all: what its triggers, cues and candidates say."""
    f = ["bias", f"n_sites={_bin(len(ctx.sites), (0, 1, 2, 3, 5, 8))}"]
    f.extend(f"trig={x}" for x in ctx.doc_trig)
    f.extend(f"trig={x}|{_bin(n, (1, 2, 4))}" for x, n in ctx.doc_trig.items())
    f.extend(f"cue={x}" for x in ctx.doc_cue)
    f.extend(f"cue={x}|{_bin(n, (1, 2, 4))}" for x, n in ctx.doc_cue.items())
    unflagged = [m for m in ctx.candidates if not m.flags]
    f.append(f"n_unflagged={_bin(len(unflagged))}")
    f.append(f"n_cand={_bin(len(ctx.candidates))}")
    f.extend(f"flag={x}" for m in ctx.candidates for x in m.flags)
    f.extend(f"rules_type={EVENT_TYPES[m.sub_event_type]}" for m in unflagged)
    f.append(f"published={ctx.doc.published is not None}")
    f.append(f"n_sent={_bin(len(ctx.doc.sentences), (1, 2, 4, 8, 16))}")
    return f


# ---------------------------------------------------------------------------------------------
# Dense features (for tree ensembles): one number per named feature
# ---------------------------------------------------------------------------------------------

TRIGGER_TYPE = {
    "@bombard": "explosions_remote_violence",
    "@clash": "battles",
    "@control": "battles",
    "@kill": "violence_against_civilians",
    "@protest": "protests",
}
_KINDS = ("admin1", "admin2", "admin3", "city", "community", "neighbourhood", "country")
_RELATIONS = ("in", "near", "countryside", "province")
_FLAGS = (
    "modal", "background_date", "no_actor", "toward", "container", "dateline", "refers_back", "intercepted",
    "off_topic",
)  # fmt: skip
_CUES = (
    "air", "artillery", "ied", "suicide", "kill", "injure", "victim_civilian", "rioting", "intervention",
    "lethal_force", "property", "target", "claim", "plan", "threat", "negation", "background", "offtopic",
    "attribution", "denial", "condemn", "background_sentence", "hypothetical", "failure", "landmark",
)  # fmt: skip
_FROM = frozenset({"من", "عن"})
_TO = frozenset({"الى", "نحو", "صوب", "باتجاه", "اتجاه", "حتى"})
_AT = frozenset({"في", "داخل", "وسط", "قرب", "عند", "بين"})
_ON = frozenset({"على", "علي"})


def trigger_type(cls: str) -> str:
    return TRIGGER_TYPE.get(cls) or EVENT_TYPES.get(cls, "")


def dense_names() -> list[str]:
    names = [f"type={t}" for t in _TYPE_ORDER]
    names += [
        "prec", "unresolved", "is_country", "foreign", "n_occ", "first_sent", "first_pos", "in_title", "cued",
        "prev_at", "prev_from", "prev_to", "prev_on", "glued_b", "glued_w", "glued_l", "speaker_before",
        "listed", "contains_other", "inside_other", "has_town_inside", "sites_in_doc", "sites_in_sent",
        "sent_trigger", "trig_dist", "trig_before", "n_cand", "n_unflagged", "fallback", "warned",
        "distance_before", "institution_before", "origin_before", "pluperfect", "old_year", "first_sent_has_it",
    ]  # fmt: skip
    names += [f"kind={k}" for k in _KINDS] + [f"rel={r}" for r in _RELATIONS]
    names += [f"all_{f}" for f in _FLAGS] + [f"any_{f}" for f in _FLAGS]
    names += [
        "t_dist", "t_before", "t_clause", "t_dist_after",
        "own", "own_unflagged", "own_dist", "own_all_flagged", "other_unflagged", "rules_type", "doc_rules_type",
        "doc_rules_other", "sent_trig_type", "sent_trig_other", "doc_trig_type", "doc_trig_share",
        "n_doc_types",
    ]  # fmt: skip
    names += [f"sent_cue={c}" for c in _CUES] + [f"doc_cue={c}" for c in _CUES]
    names += [f"sent_inter={i}" for i in range(1, 9)]
    names += ["sent_time", "sent_casualty", "published", "n_sent"]
    return names


_TYPE_ORDER = (
    "battles", "explosions_remote_violence", "violence_against_civilians", "protests", "riots",
    "strategic_developments",
)  # fmt: skip


@dataclass
class SiteFacts:
    """Type-independent dense facts of a site, computed once per site."""

    values: list[float]
    sents: set[int]
    place_token: int
    # per event type: (nearest trigger distance, it stands before the place, no clause break between,
    # nearest trigger after the place)
    by_type: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def site_facts(ctx: Context, site: Site) -> SiteFacts:
    doc = ctx.doc
    place = site.place
    e = place.entry
    t = place.toponym
    words = ctx.spans.words
    occ = site.occurrences
    first = min(r.toponym.token_index for r in occ)
    sents = {ctx.sentence(r.toponym.token_index) for r in occ}
    prev_words: set[str] = set()
    glued: set[str] = set()
    speaker = distance = institution = origin = False
    for r in occ[:4]:
        i = r.toponym.token_index
        k = i
        while k > 0 and r.toponym.cue and _word(doc, k - 1) == r.toponym.cue:
            k -= 1
        if k > 0:
            prev_words.add(doc.tokens[k - 1].text)
        glue = doc.tokens[k].text[:1] if k < len(doc.tokens) else ""
        if glue in _ARTICLE_CLITICS and doc.tokens[k].text[1:2] != "ا":
            glued.add(glue)
        preceding = [_word(doc, j) for j in range(max(0, k - 4), k) if ctx.sentence(j) == ctx.sentence(i)]
        speaker = speaker or any(w in words.get("speaker_noun", ()) for w in preceding[-3:])
        distance = distance or any(w in words.get("distance_unit", ()) for w in preceding)
        institution = institution or any(w in words.get("institution_noun", ()) for w in preceding[-2:])
        origin = origin or any(w in words.get("origin_noun", ()) for w in preceding[-2:])
    n_tokens = max(1, len(doc.tokens))
    same_admin = [
        s for s in ctx.sites
        if s is not site and s.place.entry is not None and e is not None and s.place.entry.admin1 == e.admin1
    ]  # fmt: skip
    towns_inside = [
        s for s in same_admin if s.place.entry is not None and s.place.entry.kind not in ("admin1", "country")
    ]
    near_tokens = [
        s for s in ctx.sites if s is not site and any(abs(o.toponym.token_index - first) <= 6 for o in s.occurrences)
    ]
    contains_other = any(s.first_token < first for s in near_tokens) and (
        t.relation in ("province", "countryside") or (e is not None and e.kind in ("admin1", "admin2", "country"))
    )
    inside_other = any(s.first_token > first for s in near_tokens)
    listed = any(
        doc.tokens[o.toponym.token_index].text.startswith("و")
        or "،" in doc.text[max(0, o.toponym.start - 3) : o.toponym.start]
        for o in occ
    )
    trig_tokens = [
        m.first for m in ctx.spans.matches if isinstance(m.payload, Trigger) and ctx.sentence(m.first) in sents
    ]
    dists = [abs(tt - o.toponym.token_index) for tt in trig_tokens for o in occ]
    nearest = min(dists) if dists else 99
    before = any(
        tt < o.toponym.token_index for tt in trig_tokens for o in occ if abs(tt - o.toponym.token_index) == nearest
    )
    cands = site.candidates
    all_flags = set.intersection(*(m.flags for m in cands)) if cands else set()
    any_flags = set().union(*(m.flags for m in cands)) if cands else set()
    all_f = {x.split(":")[0] for x in all_flags}
    any_f = {x.split(":")[0] for x in any_flags}
    kind = e.kind if e is not None else ""
    v: list[float] = [
        place.geo_precision, e is None, t.is_country or kind == "country",
        e is not None and ctx.spans.country is not None and e.country != ctx.spans.country,
        len(occ), min(ctx.sentence(first), 10), first / n_tokens, _key(t.name) in ctx.title_keys, bool(t.cue),
        bool(prev_words & _AT), bool(prev_words & _FROM), bool(prev_words & _TO), bool(prev_words & _ON),
        "ب" in glued, "و" in glued, "ل" in glued, speaker,
        listed, contains_other, inside_other, bool(towns_inside), len(ctx.sites),
        sum(1 for s in ctx.sites if any(ctx.sentence(o.toponym.token_index) in sents for o in s.occurrences)),
        bool(trig_tokens), min(nearest, 30), before, len(cands), sum(1 for m in cands if not m.flags),
        bool(cands) and all(m.fallback_place for m in cands), place.warning is not None,
        distance, institution, origin, any(s in ctx.pluperfect for s in sents),
        any(s in ctx.old_year for s in sents), 0 in sents,
    ]  # fmt: skip
    v += [kind == k for k in _KINDS] + [t.relation == r for r in _RELATIONS]
    v += [f in all_f for f in _FLAGS] + [f in any_f for f in _FLAGS]
    by_type: dict[str, tuple[float, float, float, float]] = {}
    for m in ctx.spans.matches:
        if not isinstance(m.payload, Trigger) or ctx.sentence(m.first) not in sents:
            continue
        ty = trigger_type(m.payload.cls)
        for o in occ:
            i = o.toponym.token_index
            d = abs(m.first - i)
            old = by_type.get(ty, (99.0, 0.0, 0.0, 99.0))
            after = float(d) if m.first > i else old[3]
            if d < old[0]:
                lo, hi = sorted((m.first, i))
                between = doc.text[doc.tokens[lo].end if lo < len(doc.tokens) else 0 : doc.tokens[hi].start]
                clause = not any(ch in between for ch in "،,؛;.:") and " و" not in between[:1]
                by_type[ty] = (float(d), float(m.first < i), float(clause), min(after, old[3]))
            elif after < old[3]:
                by_type[ty] = (old[0], old[1], old[2], after)
    return SiteFacts([float(x) for x in v], sents, first, by_type)


def dense_features(ctx: Context, site: Site, facts: SiteFacts, event_type: str) -> list[float]:
    T = event_type
    own = [m for m in site.candidates if EVENT_TYPES[m.sub_event_type] == T]
    other = [m for m in site.candidates if EVENT_TYPES[m.sub_event_type] != T]
    rules_types = [EVENT_TYPES[m.sub_event_type] for m in site.candidates if not m.flags]
    rules_type = max(rules_types, key=rules_types.count) if rules_types else ""
    doc_types = {EVENT_TYPES[m.sub_event_type] for m in ctx.candidates if not m.flags}
    sent_trig = [
        trigger_type(m.payload.cls)
        for m in ctx.spans.matches
        if isinstance(m.payload, Trigger) and ctx.sentence(m.first) in facts.sents
    ]
    doc_trig_t = sum(n for cls, n in ctx.doc_trig.items() if trigger_type(cls) == T)
    doc_trig_all = sum(ctx.doc_trig.values())
    sent_cues: set[str] = set()
    inters: set[int] = set()
    for s in facts.sents:
        sent_cues |= ctx.cue_by_sent.get(s, set())
        inters |= ctx.inter_by_sent.get(s, set())
    v: list[float] = [float(t == T) for t in _TYPE_ORDER]
    v += facts.values
    near = facts.by_type.get(T, (99.0, 0.0, 0.0, 99.0))
    v += [min(near[0], 30.0), near[1], near[2], min(near[3], 30.0)]
    v += [
        len(own), sum(1 for m in own if not m.flags),
        min((abs(m.trigger_first - facts.place_token) for m in own), default=99),
        bool(own) and all(m.flags for m in own), sum(1 for m in other if not m.flags), rules_type == T,
        T in doc_types, len(doc_types - {T}), sum(1 for x in sent_trig if x == T), sum(1 for x in sent_trig if x != T),
        doc_trig_t, doc_trig_t / doc_trig_all if doc_trig_all else 0.0, len(doc_types),
    ]  # fmt: skip
    v += [c in sent_cues for c in _CUES] + [min(ctx.doc_cue.get(c, 0), 5) for c in _CUES]
    v += [i in inters for i in range(1, 9)]
    v += [
        any(s in ctx.has_time for s in facts.sents), any(s in ctx.has_casualty for s in facts.sents),
        ctx.doc.published is not None, min(len(ctx.doc.sentences), 30),
    ]  # fmt: skip
    return [float(x) for x in v]
