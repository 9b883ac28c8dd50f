"""BM25 over diacritic-folded terms, updated in place as chunks come and go.

Scores are Lucene BM25 (k1=1.5, b=0.75), the same as bm25s computes them. We keep our own
postings because bm25s can only be rebuilt from scratch, and rebuilding 100k chunks after every
upload costs tens of seconds on the next question; adding or removing one document here costs
only that document's terms.
"""

from __future__ import annotations

import math
import os
import pickle
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from qa.chunking import Chunk
from qa.text import terms

K1 = 1.5
B = 0.75
# Bump when terms() or the postings layout changes, so an index saved by older code is rebuilt.
SAVED_FORMAT = (1, tuple(f.name for f in fields(Chunk)))


class LexicalIndex:
    def __init__(self, chunks: Iterable[Chunk] = ()) -> None:
        # Scoring reads the postings through numpy views, and an array cannot grow while viewed.
        self._lock = threading.Lock()
        self._reset()
        self.add(chunks)

    def _reset(self) -> None:
        # One slot per chunk ever added; a removed chunk's slot is None until the next compaction.
        self.chunks: list[Chunk | None] = []
        self._slot: dict[str, int] = {}
        self._lengths = array("I")
        self._alive = bytearray()
        self._postings: dict[str, tuple[array, array]] = {}  # term -> (slots, term frequencies)
        self._doc_freq: Counter[str] = Counter()
        self._doc_number: dict[str, int] = {}
        self._doc_of_slot = array("I")
        self._total_length = 0

    def save(self, path: Path, generation: Any) -> None:
        """Write the index to disk, tagged with the store generation it matches. It is derived
        data (delete it and the next question rebuilds it), written atomically by this program into
        the user's own index folder, so pickle is safe to read back."""
        with self._lock:
            state = {k: v for k, v in self.__dict__.items() if k != "_lock"}
            data = pickle.dumps((SAVED_FORMAT, generation, state), protocol=5)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> tuple[LexicalIndex, Any] | None:
        """(index, generation) as saved, or None if there is no usable saved index."""
        try:
            saved_format, generation, state = pickle.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
            return None
        if saved_format != SAVED_FORMAT:
            return None
        index = cls.__new__(cls)
        index.__dict__.update(state)
        index._lock = threading.Lock()
        return index, generation

    def __len__(self) -> int:
        return len(self._slot)

    def get(self, chunk_id: str) -> Chunk | None:
        slot = self._slot.get(chunk_id)
        return None if slot is None else self.chunks[slot]

    def ids(self) -> set[str]:
        return set(self._slot)

    def add(self, chunks: Iterable[Chunk]) -> None:
        for chunk in chunks:
            if chunk.chunk_id in self._slot:
                continue
            counts = Counter(terms(chunk.text))
            with self._lock:
                self._add(chunk, counts)

    def _add(self, chunk: Chunk, counts: Counter[str]) -> None:
        slot = len(self.chunks)
        self.chunks.append(chunk)
        self._alive.append(1)
        self._slot[chunk.chunk_id] = slot
        length = sum(counts.values())
        self._lengths.append(length)
        self._total_length += length
        for term, tf in counts.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = (array("I"), array("I"))
            postings[0].append(slot)
            postings[1].append(tf)
        self._doc_freq.update(counts.keys())
        self._doc_of_slot.append(self._doc_number.setdefault(chunk.doc_id, len(self._doc_number)))

    def remove(self, chunk_ids: Iterable[str]) -> None:
        with self._lock:
            for chunk_id in chunk_ids:
                slot = self._slot.pop(chunk_id, None)
                chunk = self.chunks[slot] if slot is not None else None
                if slot is None or chunk is None:
                    continue
                self.chunks[slot] = None
                self._alive[slot] = 0
                self._total_length -= self._lengths[slot]
                self._doc_freq.subtract(set(terms(chunk.text)))
            if len(self.chunks) > 2 * len(self._slot) + 1000:
                live = [c for c in self.chunks if c is not None]
                self._reset()
                for chunk in live:
                    self._add(chunk, Counter(terms(chunk.text)))

    def document_frequency(self, term: str) -> int:
        return self._doc_freq.get(term, 0)

    def document_mentions(self, doc_id: str, phrase_terms: Iterable[str]) -> bool:
        """Whether the document (its live chunks taken together) holds each of these terms."""
        with self._lock:
            number = self._doc_number.get(doc_id)
            if number is None:
                return False
            doc_of_slot = np.frombuffer(self._doc_of_slot, dtype=np.uint32)
            alive = np.frombuffer(self._alive, dtype=np.uint8)
            for term in phrase_terms:
                if self.document_frequency(term) <= 0:
                    return False
                slots = np.frombuffer(self._postings[term][0], dtype=np.uint32)
                if not np.any((doc_of_slot[slots] == number) & (alive[slots] == 1)):
                    return False
            return True

    def idf(self, term: str) -> float:
        n = max(len(self), 1)
        df = self.document_frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query_terms: list[str], limit: int, accept: Callable[[Chunk], bool] | None = None) -> list[tuple[Chunk, float]]:
        """The best `limit` chunks with a positive score that `accept` lets through, best first."""
        with self._lock:
            scores = self._scores(query_terms)
            ranked: list[tuple[Chunk, float]] = []
            positive = np.flatnonzero(scores > 0)
            if accept is None and len(positive) > limit:
                # Only the best `limit` need sorting; common terms match most of a large index.
                # Ties at the cut-off are kept whole so the order stays the same as a full sort.
                cutoff = -np.partition(-scores[positive], limit - 1)[limit - 1]
                positive = positive[scores[positive] >= cutoff]
            for slot in positive[np.argsort(-scores[positive], kind="stable")]:
                if len(ranked) >= limit:
                    break
                chunk = self.chunks[slot]
                if chunk is not None and (accept is None or accept(chunk)):
                    ranked.append((chunk, float(scores[slot])))
            return ranked

    def _scores(self, query_terms: list[str]) -> np.ndarray:
        """One score per slot (removed slots score 0); a repeated query term counts again."""
        scores = np.zeros(len(self.chunks), dtype=np.float32)
        if not self._slot:
            return scores
        lengths = np.frombuffer(self._lengths, dtype=np.uint32)
        average = max(self._total_length / len(self._slot), 1e-9)
        for term in query_terms:
            if self.document_frequency(term) <= 0:
                continue
            slots = np.frombuffer(self._postings[term][0], dtype=np.uint32)
            tf = np.frombuffer(self._postings[term][1], dtype=np.uint32).astype(np.float32)
            norm = K1 * ((1 - B) + B * lengths[slots].astype(np.float32) / average)
            scores[slots] += np.float32(self.idf(term)) * tf / (norm + tf)
            del slots, tf
        del lengths
        scores *= np.frombuffer(self._alive, dtype=np.uint8)
        return scores
