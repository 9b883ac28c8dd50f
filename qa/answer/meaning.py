"""Sentence choice by meaning, where shared words cannot choose: a question asked in one language of
a passage written in the other ('Which resolution did 23/2025/NQ-HĐND repeal?' of a Vietnamese
text). The multilingual embedder places a question and its answer sentence close whatever their
language, so the sentences of the best passages are embedded at question time and compared with it.

It costs one embedder call per uncached sentence (about 40 ms each on two cores), which is why it
runs only when the languages differ; vectors are kept in a bounded cache, as popular passages come
back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from qa.index.embedders import Embedder, QueryBatcher
from qa.question import Question
from qa.text import DOC_NUMBER, terms

# Sentences embedded per question at most: the best passages' sentences, not the whole retrieval.
MAX_SENTENCES = 24


class SentenceMeaning:
    def __init__(self, embedder: Embedder, queries: QueryBatcher | None = None, cache_size: int = 4096) -> None:
        self._embedder = embedder
        self._queries = queries or QueryBatcher(embedder)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def similarities(self, question: Question, sentences: list[str], naming: frozenset[str] = frozenset()) -> np.ndarray:
        """Cosine similarity of the question's ask to each sentence (e5 scores are compressed:
        compare them with each other, not with a fixed bar). `naming`: the terms that name the
        sentences' document; the ask's capitalised words among them are left out."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        query = _unit(self._queries.embed_query(meaning_query(question, naming)))
        with self._lock:
            missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            vectors = self._embedder.embed_passages(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = _unit(vector)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            matrix = np.stack([self._cache.get(s, np.zeros_like(query)) for s in sentences])
        return matrix @ query


def meaning_query(question: Question, naming: frozenset[str] = frozenset()) -> str:
    """The ask as it is compared with sentences: without the document's number, nor the capitalised
    words that name the document ('Vinh - Thanh Thuy' when its title writes 'Vinh - Thanh Thủy').
    They draw the query towards the header and annex lines that name it, not the sentence that answers."""
    words = DOC_NUMBER.sub(" ", question.ask).split()
    return " ".join(word for i, word in enumerate(words)
                    if i == 0 or not word[:1].isupper() or not (found := terms(word)) or not set(found) <= naming)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
