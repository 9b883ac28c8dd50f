"""BM25 over diacritic-folded terms, updated in place as chunks come and go.

Scores are Lucene BM25 (k1=1.5, b=0.75), the same as bm25s computes them. We keep our own
postings because bm25s can only be rebuilt from scratch, and rebuilding 100k chunks after every
upload costs tens of seconds on the next question; adding or removing one document here costs
only that document's terms.
"""

from __future__ import annotations

import json
import math
import os
import threading
import zipfile
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from qa.index.records import chunk_from_record, chunk_metadata
from qa.text import Language, doc_number_key, language_of, terms
from qa.types import Chunk

K1 = 1.5
B = 0.75
# Bump when terms() or the postings layout changes, so an index saved by older code is rebuilt.
SAVED_FORMAT = [4, [f.name for f in fields(Chunk)]]


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _record(chunk: Chunk) -> list[Any]:
    return [chunk.chunk_id, chunk.text, chunk_metadata(chunk, 0)]


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
        self._numbered: dict[str, set[str]] = {}  # doc_number_key -> ids of the documents with that number
        self._doc_of_slot = array("I")
        self._english = bytearray()  # per slot: 1 when the chunk is written in English (language_of)
        self._total_length = 0

    def save(self, path: Path, generation: Any) -> None:
        """Write the index to disk, tagged with the store generation it matches: arrays and JSON
        in one .npz, read back without pickle, so a file planted in the index folder cannot run
        code. Derived data: delete it and the next question rebuilds it."""
        with self._lock:
            vocabulary = list(self._postings)
            lengths = [len(self._postings[t][0]) for t in vocabulary]
            header = {
                "format": SAVED_FORMAT, "generation": generation, "total_length": self._total_length,
                "terms": vocabulary, "doc_freq": [self._doc_freq[t] for t in vocabulary], "doc_numbers": self._doc_number,
            }
            arrays: dict[str, Any] = {
                "header": _utf8(json.dumps(header)),
                "chunks": _utf8(json.dumps([None if c is None else _record(c) for c in self.chunks], ensure_ascii=False)),
                "lengths": np.frombuffer(self._lengths, dtype=np.uint32).copy(),
                "alive": np.frombuffer(self._alive, dtype=np.uint8).copy(),
                "doc_of_slot": np.frombuffer(self._doc_of_slot, dtype=np.uint32).copy(),
                "english": np.frombuffer(self._english, dtype=np.uint8).copy(),
                "offsets": np.cumsum([0, *lengths], dtype=np.int64),
                "slots": np.concatenate([np.frombuffer(self._postings[t][0], dtype=np.uint32) for t in vocabulary] or [np.zeros(0, np.uint32)]),
                "tfs": np.concatenate([np.frombuffer(self._postings[t][1], dtype=np.uint32) for t in vocabulary] or [np.zeros(0, np.uint32)]),
            }
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> tuple[LexicalIndex, Any] | None:
        """(index, generation) as saved, or None if there is no usable saved index."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                header = json.loads(saved["header"].tobytes())
                if header.get("format") != list(SAVED_FORMAT):
                    return None
                index = cls()
                index.chunks = [None if v is None else chunk_from_record(*v) for v in json.loads(saved["chunks"].tobytes())]
                index._slot = {c.chunk_id: slot for slot, c in enumerate(index.chunks) if c is not None}
                for chunk in index.chunks:
                    if chunk is not None and chunk.doc_number:
                        index._numbered.setdefault(doc_number_key(chunk.doc_number), set()).add(chunk.doc_id)
                index._lengths = array("I", saved["lengths"].astype(np.uint32).tobytes())
                index._alive = bytearray(saved["alive"].astype(np.uint8).tobytes())
                index._doc_of_slot = array("I", saved["doc_of_slot"].astype(np.uint32).tobytes())
                index._english = bytearray(saved["english"].astype(np.uint8).tobytes())
                offsets, slots, tfs = saved["offsets"], saved["slots"].astype(np.uint32), saved["tfs"].astype(np.uint32)
                for i, term in enumerate(header["terms"]):
                    a, b = int(offsets[i]), int(offsets[i + 1])
                    index._postings[term] = (array("I", slots[a:b].tobytes()), array("I", tfs[a:b].tobytes()))
                index._doc_freq = Counter(dict(zip(header["terms"], header["doc_freq"], strict=True)))
                index._doc_number = {str(k): int(v) for k, v in header["doc_numbers"].items()}
                index._total_length = int(header["total_length"])
        except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, zipfile.BadZipFile):
            return None
        if not (len(index.chunks) == len(index._lengths) == len(index._alive) == len(index._doc_of_slot) == len(index._english)):
            return None
        return index, header["generation"]

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
            counts = Counter(terms(chunk.searched_text))
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
        self._english.append(language_of(chunk.text) == "en")
        if chunk.doc_number:
            self._numbered.setdefault(doc_number_key(chunk.doc_number), set()).add(chunk.doc_id)

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
                self._doc_freq.subtract(set(terms(chunk.searched_text)))
            if len(self.chunks) > 2 * len(self._slot) + 1000:
                live = [c for c in self.chunks if c is not None]
                self._reset()
                for chunk in live:
                    self._add(chunk, Counter(terms(chunk.searched_text)))

    def language(self, chunk: Chunk) -> Language:
        """The language the chunk is written in, as worked out when it was added (a chunk the index
        does not hold yet is read now)."""
        slot = self._slot.get(chunk.chunk_id)
        if slot is None:
            return language_of(chunk.text)
        return "en" if self._english[slot] else "vi"

    def numbered(self, number: str) -> list[str]:
        """The documents whose own number is `number` (removed ones may remain: their chunks no
        longer score)."""
        with self._lock:
            return sorted(self._numbered.get(doc_number_key(number), ()))

    def named_by(self, numbers: Iterable[str], short_citations: Iterable[str] = ()) -> set[str]:
        """The documents a question names: by their own number, or by its number and year alone
        ('73/2025' for '73/2025/NQ-HĐND')."""
        named = {doc_id for number in numbers for doc_id in self.numbered(number)}
        prefixes = tuple(f"{doc_number_key(c)}/" for c in short_citations)
        if prefixes:
            with self._lock:
                named |= {doc_id for key, docs in self._numbered.items() if key.startswith(prefixes) for doc_id in docs}
        return named

    def holds_document(self, doc_id: str) -> bool:
        """Whether a live chunk of the document is in the index."""
        with self._lock:
            number = self._doc_number.get(doc_id)
            if number is None:
                return False
            doc_of_slot = np.frombuffer(self._doc_of_slot, dtype=np.uint32)
            return bool(np.any((doc_of_slot == number) & (np.frombuffer(self._alive, dtype=np.uint8) == 1)))

    def document_frequency(self, term: str) -> int:
        return self._doc_freq.get(term, 0)

    def known_outside(self, term: str, hidden: Collection[str]) -> bool:
        """Whether a live chunk of a document not in `hidden` holds the term: what a user who may
        not see those documents can be told the corpus knows."""
        if self.document_frequency(term) <= 0:
            return False
        with self._lock:
            numbers = [self._doc_number[d] for d in hidden if d in self._doc_number]
            if not numbers:
                return True
            slots = np.frombuffer(self._postings[term][0], dtype=np.uint32)
            doc_of_slot = np.frombuffer(self._doc_of_slot, dtype=np.uint32)[slots]
            alive = np.frombuffer(self._alive, dtype=np.uint8)[slots] == 1
            return bool(np.any(alive & ~np.isin(doc_of_slot, numbers)))

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

    def holding(self, phrase_terms: Iterable[str], limit: int) -> list[Chunk]:
        """Up to `limit` live chunks that hold every one of these terms (the candidates for a
        phrase, which the caller reads for it), in index order."""
        with self._lock:
            slots: np.ndarray | None = None
            for term in phrase_terms:
                postings = self._postings.get(term)
                if postings is None:
                    return []
                these = np.frombuffer(postings[0], dtype=np.uint32)
                slots = these if slots is None else np.intersect1d(slots, these, assume_unique=True)
            if slots is None:
                return []
            alive = np.frombuffer(self._alive, dtype=np.uint8)
            return [chunk for slot in slots[alive[slots] == 1][:limit] if (chunk := self.chunks[slot]) is not None]

    def held_terms(self, chunks: list[Chunk], wanted: Iterable[str]) -> list[frozenset[str]]:
        """Which of the `wanted` terms each chunk holds (as BM25 reads it), from the postings: no
        chunk's text is read again."""
        with self._lock:
            slots = np.array([self._slot.get(chunk.chunk_id, -1) for chunk in chunks], dtype=np.int64)
            held: list[set[str]] = [set() for _ in chunks]
            for term in wanted:
                postings = self._postings.get(term)
                if postings is None:
                    continue
                for k in np.flatnonzero(np.isin(slots, np.frombuffer(postings[0], dtype=np.uint32))):
                    held[k].add(term)
            return [frozenset(these) for these in held]

    def idf(self, term: str) -> float:
        n = max(len(self), 1)
        df = self.document_frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(
        self, query_terms: list[str], limit: int, accept: Callable[[Chunk], bool] | None = None, language: Language | None = None,
    ) -> list[tuple[Chunk, float]]:
        """The best `limit` chunks with a positive score that `accept` lets through, best first;
        with `language`, only chunks written in it."""
        with self._lock:
            scores = self._scores(query_terms)
            if language is not None:
                scores *= np.frombuffer(self._english, dtype=np.uint8) == (language == "en")
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

    def search_document(self, query_terms: list[str], doc_id: str | Collection[str], limit: int) -> list[tuple[Chunk, float]]:
        """The best `limit` chunks of one document (or of several, scored once) with a positive
        score, best first (vectorised: `search` with a filter would walk the whole index's ranking
        in Python)."""
        with self._lock:
            wanted = [doc_id] if isinstance(doc_id, str) else list(doc_id)
            numbers = [self._doc_number[d] for d in wanted if d in self._doc_number]
            if not numbers:
                return []
            scores = self._scores(query_terms)
            doc_of_slot = np.frombuffer(self._doc_of_slot, dtype=np.uint32)[: len(scores)]
            slots = np.flatnonzero(np.isin(doc_of_slot, numbers) & (scores > 0))
            ranked: list[tuple[Chunk, float]] = []
            for slot in slots[np.argsort(-scores[slots], kind="stable")]:
                chunk = self.chunks[slot]
                if chunk is not None:
                    ranked.append((chunk, float(scores[slot])))
                if len(ranked) >= limit:
                    break
            return ranked

    def search_within(self, query_terms: list[str], doc_id: str, limit: int) -> list[tuple[Chunk, float]]:
        """The best `limit` chunks of one document by BM25 with the document's own term rarity: in
        an airworthiness directive, 'FAA', '737' and 'airplanes' are in every chunk and say nothing
        of which one answers, however rare they are in the whole index."""
        with self._lock:
            number = self._doc_number.get(doc_id)
            if number is None:
                return []
            doc_of_slot = np.frombuffer(self._doc_of_slot, dtype=np.uint32)
            alive = np.frombuffer(self._alive, dtype=np.uint8)
            lengths = np.frombuffer(self._lengths, dtype=np.uint32)
            inside = np.flatnonzero((doc_of_slot == number) & (alive[: len(doc_of_slot)] == 1))
            if not len(inside):
                return []
            average = max(float(lengths[inside].mean()), 1e-9)
            scores = np.zeros(len(doc_of_slot), dtype=np.float32)
            for term in dict.fromkeys(query_terms):
                if self.document_frequency(term) <= 0:
                    continue
                slots = np.frombuffer(self._postings[term][0], dtype=np.uint32)
                mine = doc_of_slot[slots] == number
                if not mine.any():
                    continue
                slots = slots[mine]
                tf = np.frombuffer(self._postings[term][1], dtype=np.uint32)[mine].astype(np.float32)
                df = int(np.count_nonzero(alive[slots]))
                idf = math.log(1 + (len(inside) - df + 0.5) / (df + 0.5))
                norm = K1 * ((1 - B) + B * lengths[slots].astype(np.float32) / average)
                scores[slots] += np.float32(idf) * tf / (norm + tf)
            return [(chunk, float(scores[slot])) for slot in inside[np.argsort(-scores[inside], kind="stable")][:limit]
                    if scores[slot] > 0 and (chunk := self.chunks[slot]) is not None]

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
