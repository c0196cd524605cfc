"""Numbers, casualty figures and counted things in short reports."""

from __future__ import annotations

import pytest

from marsad.extract.quantities import Casualty, Counted, Number, Numbers, find_casualties, find_counts
from marsad.lang.lexicon import Lexicons
from marsad.models import RawDocument
from marsad.text.prepare import prepare


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons.load()


def _numbers(lexicons: Lexicons, text: str) -> list[Number]:
    doc = prepare(RawDocument("t", text))
    return list(Numbers(doc, lexicons.scan(doc), lexicons.words).by_first.values())


def _values(lexicons: Lexicons, text: str) -> list[tuple[int, str]]:
    return [(n.value, n.qualifier) for n in _numbers(lexicons, text)]


def _casualties(lexicons: Lexicons, text: str) -> list[Casualty]:
    doc = prepare(RawDocument("t", text))
    matches = lexicons.scan(doc)
    return find_casualties(doc, matches, Numbers(doc, matches, lexicons.words))


def _tolls(lexicons: Lexicons, text: str) -> list[tuple[str, int | None, str]]:
    return [(c.kind, c.value, c.qualifier) for c in _casualties(lexicons, text)]


def _counts(lexicons: Lexicons, text: str) -> list[Counted]:
    doc = prepare(RawDocument("t", text))
    matches = lexicons.scan(doc)
    return find_counts(doc, matches, Numbers(doc, matches, lexicons.words))


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("قتل 5 مدنيين", 5),
            ("قتل ٥ مدنيين", 5),
            ("قتل ١٢٣ مدنيا", 123),
            ("قتل 1,200 مدني", 1200),
            ("قتل ستة مدنيين", 6),
            ("قتل ثلاثة عشر مدنيا", 13),
            ("قتل خمسة وعشرين مدنيا", 25),
        ],
    )
    def test_exact_numbers(self, lexicons: Lexicons, text: str, value: int) -> None:
        assert _values(lexicons, text) == [(value, "exact")]

    def test_multiword_number_spans_its_tokens(self, lexicons: Lexicons) -> None:
        [num] = _numbers(lexicons, "قتل ثلاثة عشر مدنيا")
        assert (num.first, num.last) == (1, 3)

    @pytest.mark.parametrize(("word", "value"), [("عشرات", 10), ("مئات", 100)])
    def test_vague_quantities_follow_acled(self, lexicons: Lexicons, word: str, value: int) -> None:
        [num] = _numbers(lexicons, f"قتل {word} المدنيين")
        assert (num.value, num.vague) == (value, True)

    def test_dual_noun_counts_two(self, lexicons: Lexicons) -> None:
        assert _values(lexicons, "ألقت المروحيات برميلين") == [(2, "exact")]

    @pytest.mark.parametrize(
        ("text", "value", "qualifier"),
        [
            ("قتل أكثر من 20 مدنيا", 20, "more_than"),
            ("قتل نحو 30 مدنيا", 30, "about"),
            ("قتل 7 مدنيين على الأقل", 7, "at_least"),
        ],
    )
    def test_qualifiers(self, lexicons: Lexicons, text: str, value: int, qualifier: str) -> None:
        assert _values(lexicons, text) == [(value, qualifier)]

    def test_qualifier_is_part_of_the_span(self, lexicons: Lexicons) -> None:
        [num] = _numbers(lexicons, "قتل أكثر من 20 مدنيا")
        assert (num.first, num.last) == (1, 4)

    def test_a_year_is_not_a_number(self, lexicons: Lexicons) -> None:
        assert _values(lexicons, "في عام 2016 قتل 4 مدنيين") == [(4, "exact")]

    @pytest.mark.parametrize("text", ["نزح 50 ألف شخص", "نزح خمسون ألف شخص"])
    def test_scale_multiplies(self, lexicons: Lexicons, text: str) -> None:
        assert _values(lexicons, text) == [(50_000, "exact")]


class TestCasualties:
    @pytest.mark.parametrize(
        ("text", "tolls"),
        [
            ("قتل 5 مدنيين", [("kill", 5, "exact")]),
            ("أسفر القصف عن مقتل 5 وإصابة 12", [("kill", 5, "exact"), ("injure", 12, "exact")]),
            ("سقط قتيلين وثلاثة جرحى", [("kill", 2, "exact"), ("injure", 3, "exact")]),
            ("قتل أكثر من 20 مدنيا", [("kill", 20, "more_than")]),
            ("قتل 7 مدنيين على الأقل", [("kill", 7, "at_least")]),
            ("قتل عشرات المدنيين", [("kill", 10, "exact")]),
            ("أصيب مئات المدنيين", [("injure", 100, "exact")]),
        ],
    )
    def test_figures(self, lexicons: Lexicons, text: str, tolls: list[tuple[str, int, str]]) -> None:
        assert _tolls(lexicons, text) == tolls

    def test_named_victims_without_a_number(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "أسفر القصف عن مقتل مدني") == [("kill", 1, "exact")]

    def test_woman_and_her_four_children_are_five(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "أسفر القصف عن مقتل امرأة وأطفالها الأربعة") == [("kill", 5, "exact")]

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("أسفر القصف عن مقتل رجل وزوجته", 2),  # a relative with a possessive pronoun counts one
            ("أسفر القصف عن مقتل رجل وزوجته وطفلهما", 3),
            ("أسفر القصف عن مقتل مدني وأبنائه الثلاثة", 4),
            ("أسفر القصف عن مقتل امرأة و4 أطفال", 5),  # the conjunction written apart from the figure
        ],
    )
    def test_relatives_and_figures_joined_to_the_victims_are_added(
        self, lexicons: Lexicons, text: str, value: int
    ) -> None:
        assert _tolls(lexicons, text) == [("kill", value, "exact")]

    def test_the_wounded_joined_to_a_victim_are_not_counted_dead(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "أسفر القصف عن مقتل مدني و3 جرحى") == [("kill", 1, "exact"), ("injure", 3, "exact")]

    def test_one_accusative_figure_for_killed_and_wounded_is_no_death_count(self, lexicons: Lexicons) -> None:
        assert [t for t in _tolls(lexicons, "أسفر القصف عن سقوط 15 قتيلا وجريحا") if t[0] == "kill"] == []

    @pytest.mark.parametrize(
        ("text", "dead"),
        [("أدى القصف إلى مقتل ثلاثة عناصر من الشرطة وإصابة آخرين", 3), ("قتل 7 مدنيين وأصيب عدد آخر بجروح متفاوتة", 7)],
    )
    def test_the_dead_are_not_read_again_as_the_uncounted_wounded(
        self, lexicons: Lexicons, text: str, dead: int
    ) -> None:
        tolls = _tolls(lexicons, text)
        assert [t[:2] for t in tolls if t[0] == "kill"] == [("kill", dead)]
        assert {value for kind, value, _ in tolls if kind == "injure"} <= {None}

    def test_breakdown_after_baynahum_is_not_added(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "قتل 4 مدنيين بينهم طفلان") == [("kill", 4, "exact")]

    def test_combined_toll_is_not_a_death_count(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "ارتفع عدد القتلى والجرحى إلى 40") == []

    @pytest.mark.parametrize(
        "text",
        ["أسفر القصف عن مقتل وإصابة 9 أشخاص", "قتلوا وأصيب 14 آخرون في القصف", "مقتل شرطي وإصابة 6 آخرين"],
    )
    def test_a_number_after_an_injury_word_is_no_death_count(self, lexicons: Lexicons, text: str) -> None:
        assert all(kind == "injure" or value in (None, 1) for kind, value, _ in _tolls(lexicons, text))

    @pytest.mark.parametrize(
        ("text", "value"),
        [("استشهد فلسطينيان في الغارة", 2), ("قتل سوريان برصاص حرس الحدود", 2), ("قتل عاملان في الانفجار", 2)],
    )
    def test_a_dual_victim_counts_two(self, lexicons: Lexicons, text: str, value: int) -> None:
        assert _tolls(lexicons, text) == [("kill", value, "exact")]

    def test_a_statement_after_the_death_word_is_no_dual(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "قتل بيان الجيش") == [("kill", None, "exact")]  # a death word, no count

    def test_casualty_sits_at_its_death_word(self, lexicons: Lexicons) -> None:
        [c] = _casualties(lexicons, "أسفر القصف عن مقتل مدنيين اثنين")
        assert (c.first, c.last, c.kind) == (3, 4, "kill")

    def test_number_in_another_sentence_is_not_taken(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "قتل مدنيون. وشارك 300 شخص في التشييع") == [("kill", None, "exact")]

    def test_no_casualty_words(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "ارتفعت أسعار 5 سلع في الأسواق") == []


class TestCounts:
    def test_strikes(self, lexicons: Lexicons) -> None:
        assert [(c.value, c.what, c.qualifier) for c in _counts(lexicons, "شنت الطائرات 600 ضربة")] == [
            (600, "strikes", "exact")
        ]

    def test_dual_noun_counts_itself(self, lexicons: Lexicons) -> None:
        assert [(c.value, c.what) for c in _counts(lexicons, "ألقت المروحيات برميلين")] == [(2, "barrel_bombs")]

    def test_vague_count_is_at_least(self, lexicons: Lexicons) -> None:
        assert [(c.value, c.what, c.qualifier) for c in _counts(lexicons, "ألقت المروحيات مئات البراميل")] == [
            (100, "barrel_bombs", "at_least")
        ]

    def test_count_needs_a_unit(self, lexicons: Lexicons) -> None:
        assert _counts(lexicons, "قتل 6 مدنيين") == []

    def test_killed_people_are_not_detainees(self, lexicons: Lexicons) -> None:
        assert [c.what for c in _counts(lexicons, "لقي 30 شخصا مصرعهم في الانفجار")] == []


class TestReader:
    """How the reader builds a number; the table of expressions is ``test_number_reader.py``."""

    def test_range_keeps_both_ends(self, lexicons: Lexicons) -> None:
        [num] = _numbers(lexicons, "قتل بين 20 و30 شخصا")
        assert (num.first, num.last, num.value, num.upper, num.qualifier) == (1, 5, 20, 30, "at_least")

    def test_compound_spans_its_tokens(self, lexicons: Lexicons) -> None:
        [num] = _numbers(lexicons, "قتل مائة و ستة عشر مدنيا")
        assert (num.first, num.last, num.value) == (1, 5, 116)

    def test_vague_scaled_count_is_at_least(self, lexicons: Lexicons) -> None:
        assert [(c.value, c.what, c.qualifier) for c in _counts(lexicons, "ألقت الطائرات مئات الآلاف من القذائف")] == []
        assert [(c.value, c.what, c.qualifier) for c in _counts(lexicons, "شنت الطائرات عشرات الغارات")] == [
            (10, "strikes", "at_least")
        ]

    def test_count_of_a_compound(self, lexicons: Lexicons) -> None:
        assert [(c.value, c.what) for c in _counts(lexicons, "شنت الطائرات مائة وعشرين غارة")] == [(120, "strikes")]

    def test_qualifier_after_a_figure_does_not_reach_the_next(self, lexicons: Lexicons) -> None:
        assert _tolls(lexicons, "قتل 27 شخصا على الأقل وأصيب ستة آخرون") == [
            ("kill", 27, "at_least"),
            ("injure", 6, "exact"),
        ]

    @pytest.mark.parametrize("text", ["ارتفعت الأسعار 4 بالمائة", "ارتفعت الأسعار 4 في المائة", "ارتفعت الأسعار 4%"])
    def test_a_percentage_is_not_a_count(self, lexicons: Lexicons, text: str) -> None:
        assert _values(lexicons, text) == []  # and "4 بالمائة" is not 400

    @pytest.mark.parametrize(
        "text", ["قتل 5 مدنيين في 12/3/2019", "قتل 5 مدنيين عند الساعة 10:30", "قتل 5 مدنيين في 2019-03-12"]
    )
    def test_dates_and_times_are_not_numbers(self, lexicons: Lexicons, text: str) -> None:
        assert _values(lexicons, text) == [(5, "exact")]

    def test_duration_is_a_number_but_not_a_toll(self, lexicons: Lexicons) -> None:
        assert _values(lexicons, "لقي مصرعه بعد ثلاثين يوما") == [(30, "exact")]
        assert _tolls(lexicons, "لقي مصرعه بعد ثلاثين يوما") == [("kill", None, "exact"), ("kill", None, "exact")]
