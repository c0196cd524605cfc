"""Near-duplicate detection with MinHash LSH."""

from __future__ import annotations

from marsad.ingest.dedup import NearDuplicates, shingles

WIRE = (
    "أفاد المرصد السوري لحقوق الإنسان بأن الطائرات الحربية شنت أكثر من عشرين غارة على بلدات "
    "ريف درعا الشرقي منذ صباح اليوم، ما أدى إلى سقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات "
    "نحو الحدود الأردنية، فيما تواصلت الاشتباكات على محاور عدة."
)
REWRITE = (
    "قال المرصد السوري لحقوق الإنسان إن الطائرات الحربية شنت أكثر من عشرين غارة على بلدات "
    "ريف درعا الشرقي منذ صباح اليوم، ما أسفر عن سقوط قتلى وجرحى بين المدنيين ونزوح مئات العائلات "
    "نحو الحدود مع الأردن، بينما تواصلت الاشتباكات على محاور عدة."
)
OTHER = (
    "افتتحت وزارة التربية العام الدراسي الجديد في مدارس المحافظة بحضور عدد من المسؤولين، "
    "وأعلنت عن خطة لترميم الأبنية المتضررة خلال الأشهر المقبلة."
)


def test_shingles_are_normalised() -> None:
    assert shingles("أحمد  قال") == shingles("احمد قال")
    assert shingles("abc") == {b"abc"}
    assert shingles("   ") == set()


def test_rewrite_joins_the_group_of_the_first_text() -> None:
    nd = NearDuplicates()
    nd.add("wire", "wire", nd.signature(WIRE))
    nd.add("other", "other", nd.signature(OTHER))
    assert nd.find("rewrite", nd.signature(REWRITE)) == ("wire", "wire")
    assert nd.find("new", nd.signature(OTHER + " ")) == ("other", "other")
    assert nd.find("fresh", nd.signature("نص مختلف تماما عن كل ما سبق من الأخبار والتقارير")) == ("fresh", None)


def test_signatures_round_trip_through_bytes() -> None:
    nd = NearDuplicates()
    sig = nd.signature(WIRE)
    data = nd.to_bytes(sig)
    again = NearDuplicates()
    again.load([("wire", "wire", data)])
    assert again.find("rewrite", again.signature(REWRITE)) == ("wire", "wire")
    assert len(again) == 1


def test_re_adding_a_document_replaces_it() -> None:
    nd = NearDuplicates()
    nd.add("d", "d", nd.signature(WIRE))
    nd.add("d", "d", nd.signature(OTHER))
    assert nd.find("x", nd.signature(WIRE)) == ("x", None)
