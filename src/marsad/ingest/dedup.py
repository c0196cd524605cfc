"""Near-duplicate reports (one wire story rewritten by several outlets), by MinHash LSH.

Texts are normalised (``marsad.text.normalize``), whitespace-collapsed and cut into 5-character
shingles, hashed with CRC-32 (stable across processes and five times faster than SHA-1); documents
whose estimated Jaccard similarity reaches ``threshold`` (0.5) are linked.
Every document belongs to a *group* named after the doc_id of the group's first member; the
group is what counts as one original text when independent sources are counted.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.text.normalize import normalize

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.5
_SCHEME = "affine32"
_SPACES = re.compile(r"\s+")


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    norm = _SPACES.sub(" ", normalize(text)).strip()
    if len(norm) <= size:
        return {norm.encode("utf-8")} if norm else set()
    return {norm[i : i + size].encode("utf-8") for i in range(len(norm) - size + 1)}


class NearDuplicates:
    """An in-memory LSH index over the stored documents' signatures."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._template = MinHash(num_perm=num_perm, seed=1, scheme=_SCHEME)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._sigs: dict[str, MinHash] = {}
        self._groups: dict[str, str] = {}

    def signature(self, text: str) -> MinHash:
        mh = MinHash(
            num_perm=self.num_perm,
            seed=1,
            permutations=self._template.permutations,
            scheme=_SCHEME,
            hashfunc=zlib.crc32,
        )
        mh.update_batch(sorted(shingles(text)))
        return mh

    def to_bytes(self, mh: MinHash) -> bytes:
        return np.asarray(mh.hashvalues, dtype=np.uint64).tobytes()

    def from_bytes(self, data: bytes) -> MinHash:
        values = np.frombuffer(data, dtype=np.uint64).copy()
        return MinHash(
            seed=1, hashvalues=values, permutations=self._template.permutations, scheme=_SCHEME, hashfunc=zlib.crc32
        )

    def load(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Index stored documents: ``(doc_id, dup_group, signature bytes)``."""
        for doc_id, group, data in rows:
            if len(data) == 8 * self.num_perm:
                self.add(doc_id, group, self.from_bytes(data))

    def find(self, doc_id: str, mh: MinHash) -> tuple[str, str | None]:
        """``(group, most similar earlier document)`` for a new document; its own group when
        nothing is similar enough. Ties go to the smaller doc_id, so the answer does not depend
        on the order in which the index was filled."""
        best: tuple[float, str] | None = None
        for other in self._lsh.query(mh):
            if other == doc_id:
                continue
            sim = float(mh.jaccard(self._sigs[other]))
            if sim >= self.threshold and (best is None or (-sim, other) < (-best[0], best[1])):
                best = (sim, other)
        if best is None:
            return doc_id, None
        return self._groups[best[1]], best[1]

    def add(self, doc_id: str, group: str, mh: MinHash) -> None:
        if doc_id in self._sigs:
            self._lsh.remove(doc_id)
        self._lsh.insert(doc_id, mh)
        self._sigs[doc_id] = mh
        self._groups[doc_id] = group

    def __len__(self) -> int:
        return len(self._sigs)
