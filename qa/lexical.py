"""BM25 over diacritic-folded terms (bm25s), built from the chunks Chroma holds."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import bm25s
import numpy as np

from qa.chunking import Chunk
from qa.text import terms


class LexicalIndex:
    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self.chunks = list(chunks)
        tokenized = [terms(c.text) for c in self.chunks]
        self._doc_freq: Counter[str] = Counter()
        for tokens in tokenized:
            self._doc_freq.update(set(tokens))
        self._bm25 = bm25s.BM25()
        if self.chunks:
            self._bm25.index(tokenized, show_progress=False)

    def __len__(self) -> int:
        return len(self.chunks)

    def document_frequency(self, term: str) -> int:
        return self._doc_freq.get(term, 0)

    def idf(self, term: str) -> float:
        n = max(len(self.chunks), 1)
        return math.log(1 + (n - self._doc_freq.get(term, 0) + 0.5) / (self._doc_freq.get(term, 0) + 0.5))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        known = [t for t in query_terms if t in self._doc_freq]
        if not self.chunks or not known:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
