"""Hybrid retrieval: dense (Chroma) + BM25 (folded terms), fused by weighted reciprocal rank."""

from __future__ import annotations

from typing import Protocol

from qa.config import Settings
from qa.index.embedders import Embedder
from qa.index.lexical import LexicalIndex
from qa.index.lexical_sync import SyncedLexicalIndex
from qa.index.store import ChunkStore
from qa.question import Question
from qa.retrieve.filters import Filters
from qa.retrieve.fusion import fuse
from qa.types import Chunk, Retrieved

# Dense retrieval is weak on Vietnamese typed without diacritics (shared/NOTES.md): it counts
# for this much of BM25 there.
UNACCENTED_DENSE_WEIGHT = 0.3


class Retriever(Protocol):
    def retrieve(self, question: Question, k: int, filters: Filters | None = None) -> list[Retrieved]: ...


class HybridRetriever:
    """mode: 'hybrid' (what users get), or 'dense' / 'lexical' alone, for the eval's ablations."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder, mode: str = "hybrid") -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self.bm25 = SyncedLexicalIndex(settings, store)

    def lexical(self) -> LexicalIndex:
        return self.bm25.current()

    def retrieve(self, question: Question, k: int, filters: Filters | None = None) -> list[Retrieved]:
        if k <= 0:
            return []
        n = max(self.settings.candidates, k)
        where = filters.where() if filters else None
        # Not in parallel: the embedder already keeps both cores busy, and measured, overlapping
        # BM25 with it made both slower.
        lexical = self.lexical()
        nearest: list[tuple[str, float]] = []
        if self.mode != "lexical":
            nearest = self.store.nearest(self.embedder.embed_query(question.search_text), n, where)
        chunks: dict[str, Chunk] = {}
        for chunk_id, _ in nearest:
            if (chunk := lexical.get(chunk_id)) is not None:
                chunks[chunk_id] = chunk
        # BM25 holds every chunk; one written after the sync above is fetched from Chroma.
        missing = [chunk_id for chunk_id, _ in nearest if chunk_id not in chunks]
        chunks.update((c.chunk_id, c) for c in self.store.get_chunks(missing))
        nearest = [(chunk_id, distance) for chunk_id, distance in nearest if chunk_id in chunks]
        similarity = {chunk_id: 1.0 - distance for chunk_id, distance in nearest}
        lexical_ids: list[str] = []
        if self.mode != "dense":
            for chunk, _ in lexical.search(list(question.terms), n, filters.accepts if filters else None):
                lexical_ids.append(chunk.chunk_id)
                chunks[chunk.chunk_id] = chunk

        dense_weight = UNACCENTED_DENSE_WEIGHT if question.unaccented_vietnamese else 1.0
        fused = fuse([chunk_id for chunk_id, _ in nearest], lexical_ids, self.settings.rrf_k, dense_weight)
        return [
            Retrieved(chunks[f.chunk_id], f.score, f.dense_rank, f.lexical_rank, similarity.get(f.chunk_id))
            for f in fused[:k]
        ]
