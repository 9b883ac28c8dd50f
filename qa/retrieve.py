"""Hybrid retrieval: dense (Chroma) + BM25 (folded terms), fused by weighted reciprocal rank."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qa.chunking import Chunk
from qa.config import Settings
from qa.embedders import Embedder
from qa.lexical import LexicalIndex
from qa.store import ChunkStore
from qa.text import fold, has_diacritics, terms

# Common Vietnamese syllables, folded: a question full of them but with no diacritics is Vietnamese
# typed without accents, where dense retrieval is weak and folded BM25 is strong (shared/NOTES.md).
_VIETNAMESE_HINTS = frozenset(
    "duoc cua nao gi bao nhieu ngay thang nam ket luan nghi quyet tinh uy theo trong nhung cac "
    "khong la ai dau ve thuc hien phat trien do thi chuong trinh giai doan ban hanh so".split()
)


def unaccented_vietnamese(question: str) -> bool:
    if has_diacritics(question):
        return False
    words = re.findall(r"\w+", fold(question))
    return sum(w in _VIETNAMESE_HINTS for w in words) >= max(2, len(words) // 3)


@dataclass(frozen=True)
class Filters:
    """Restrict a question to some documents: by id, type, year of issue or document number."""

    doc_ids: tuple[str, ...] = ()
    doc_type: str | None = None
    year: int | None = None
    doc_number: str | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.doc_type:
            clauses.append({"doc_type": self.doc_type.lower()})
        if self.year:
            clauses.append({"year": self.year})
        if self.doc_number:
            clauses.append({"doc_number_key": fold(self.doc_number)})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, chunk: Chunk) -> bool:
        return (
            (not self.doc_ids or chunk.doc_id in self.doc_ids)
            and (not self.doc_type or chunk.doc_type == self.doc_type.lower())
            and (not self.year or chunk.issued[:4] == str(self.year))
            and (not self.doc_number or fold(chunk.doc_number) == fold(self.doc_number))
        )


@dataclass(frozen=True)
class Retrieved:
    chunk: Chunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    dense_similarity: float | None


class Retriever(Protocol):
    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Retrieved]: ...


class HybridRetriever:
    # Saving BM25 takes about two seconds at 100k chunks; after a small change, catching up at the
    # next start is cheaper than saving now.
    SAVE_AFTER_CHANGED_CHUNKS = 1000

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._lexical: LexicalIndex | None = None
        self._lexical_generation: Any = None
        self._saved_generation: Any = None
        self._lock = threading.Lock()

    @property
    def saved_lexical_path(self) -> Path:
        where = hashlib.sha256(str(self.settings.chroma_url or "embedded").encode()).hexdigest()[:8]
        return self.settings.index_dir / f"bm25-{self.store.name}-{where}.npz"

    def lexical(self) -> LexicalIndex:
        """The BM25 index, brought up to date with Chroma (written by this process or another)
        by adding and removing only the chunks that changed. Opening an index reads BM25 back
        from disk when it was saved, instead of tokenising every chunk again."""
        with self._lock:
            generation = self.store.generation()
            if self._lexical is None:
                saved = LexicalIndex.load(self.saved_lexical_path)
                if saved is None:
                    self._lexical = LexicalIndex(self.store.iter_chunks())
                    self._save_lexical(generation)
                else:
                    self._lexical, self._lexical_generation = saved
                    self._saved_generation = self._lexical_generation
            if generation != self._lexical_generation:
                stored, indexed = self.store.chunk_ids(), self._lexical.ids()
                self._lexical.remove(indexed - stored)
                self._lexical.add(self.store.get_chunks(stored - indexed))
                if len(stored ^ indexed) >= self.SAVE_AFTER_CHANGED_CHUNKS:
                    self._save_lexical(generation)
            self._lexical_generation = generation
            return self._lexical

    def persist_lexical(self) -> None:
        """Bring BM25 up to date and save it, so the next process to open the index reads it
        instead of building it (the CLI's ingest calls this; it takes seconds at 100k chunks)."""
        self.lexical()
        with self._lock:
            if self._saved_generation != self._lexical_generation:
                self._save_lexical(self._lexical_generation)

    def _save_lexical(self, generation: Any) -> None:
        assert self._lexical is not None
        try:
            self._lexical.save(self.saved_lexical_path, generation)
            self._saved_generation = generation
        except OSError:
            pass  # a read-only index folder only costs a rebuild at the next start

    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Retrieved]:
        if k <= 0:
            return []
        n = max(self.settings.candidates, k)
        where = filters.where() if filters else None
        # Not in parallel: the embedder already keeps both cores busy, and measured, overlapping
        # BM25 with it made both slower.
        lexical = self.lexical()
        nearest = self.store.nearest(self.embedder.embed_query(question), n, where)
        chunks: dict[str, Chunk] = {}
        for chunk_id, _ in nearest:
            if (chunk := lexical.get(chunk_id)) is not None:
                chunks[chunk_id] = chunk
        # BM25 holds every chunk; one written after the sync above is fetched from Chroma.
        missing = [chunk_id for chunk_id, _ in nearest if chunk_id not in chunks]
        chunks.update((c.chunk_id, c) for c in self.store.get_chunks(missing))
        dense = {chunk_id: (rank, 1.0 - distance) for rank, (chunk_id, distance) in enumerate(nearest) if chunk_id in chunks}
        lexical_rank: dict[str, int] = {}
        for rank, (chunk, _) in enumerate(lexical.search(terms(question), n, filters.accepts if filters else None)):
            lexical_rank[chunk.chunk_id] = rank
            chunks[chunk.chunk_id] = chunk

        dense_weight = 0.3 if unaccented_vietnamese(question) else 1.0
        fused: list[Retrieved] = []
        for chunk_id in dense.keys() | lexical_rank.keys():
            dense_rank, similarity = dense.get(chunk_id, (None, None))
            lex_rank = lexical_rank.get(chunk_id)
            score = 0.0
            if dense_rank is not None:
                score += dense_weight / (self.settings.rrf_k + dense_rank + 1)
            if lex_rank is not None:
                score += 1.0 / (self.settings.rrf_k + lex_rank + 1)
            fused.append(Retrieved(chunks[chunk_id], score, dense_rank, lex_rank, similarity))
        fused.sort(key=lambda r: -r.score)
        return fused[:k]
