"""Hybrid retrieval: dense (Chroma) + BM25 (folded terms), fused by weighted reciprocal rank."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.config import Settings
from qa.glossary import matches
from qa.index.embedders import Embedder, QueryBatcher
from qa.index.lexical import LexicalIndex
from qa.index.lexical_sync import SyncedLexicalIndex
from qa.index.store import ChunkStore
from qa.question import Question
from qa.results import Retrieved
from qa.retrieve.filters import Filters
from qa.retrieve.fusion import fuse
from qa.text import contains_phrase, fold, terms
from qa.types import Chunk

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
# What a list of passages found by a question's glossary translation counts for in the fusion (its
# English passages, or an English question's Vietnamese ones): a glossary word has several senses
# ('khoa học' science, 'khóa học' a course).
TRANSLATED_WEIGHT = 0.25
# An English question's Vietnamese passages: read from BM25's best so many, and kept when they hold
# every syllable of this many of its glossary phrases.
VIETNAMESE_READ = 100
VIETNAMESE_PHRASES_LEAST = 2
# When the best of them holds this many of its glossary phrases, and most of the best ten are one
# document's, the question is about a Vietnamese document and they count double (unless it names a
# document by number, whose own list finds its passages) (measured on the read English questions: 56 of 82
# asking of a Vietnamese document reach 3, and 12 of 239 asking of an English one).
VIETNAMESE_PHRASES_STRONG = 3
STRONG_VIETNAMESE_WEIGHT = 2.0
VIETNAMESE_ONE_DOCUMENT = 6
VIETNAMESE_BEST = 10
# How many passages of a named document in the other language are read by meaning.
NAMED_BY_MEANING = 10
# They count double in the fusion: the named document's header, found by its number in both
# lists, would otherwise keep its article out of the top k.
NAMED_BY_MEANING_WEIGHT = 2.0
# A place more Vietnamese documents than this name does not say which one is asked about.
PLACE_DOCUMENTS_MOST = 3
# Chunks read for a place's name: the best by BM25, then up to so many holding all its words.
PLACE_SEARCH = 50
PLACE_CANDIDATES = 400


def restore_diacritics(text: str, passages: list[str]) -> str:
    """Each word of `text` written as the passages most often write the words it folds to:
    'nghi quyet do ai ky' -> 'nghị quyết do ai ký' when the passages hold those forms."""
    forms: dict[str, Counter[str]] = {}
    for passage in passages:
        for word in _WORD.findall(passage):
            forms.setdefault(fold(word), Counter())[word.lower()] += 1

    def best(match: re.Match[str]) -> str:
        seen = forms.get(fold(match.group(0)))
        return seen.most_common(1)[0][0] if seen else match.group(0)

    return _WORD.sub(best, text)


# A Vietnamese passage where fewer words than this carry a mark is a scan read badly ('Sau 03 nam
# thyc hién Nghi quyét s6 06-NQ/TU'): written Vietnamese marks nine words in ten.
MARKED_WORDS_LEAST = 0.4


def garbled(text: str) -> bool:
    """Whether a Vietnamese passage reads like a scan read badly: too few of its words marked."""
    words = _LETTERS.findall(text)
    return bool(words) and sum(not w.isascii() for w in words) < MARKED_WORDS_LEAST * len(words)


class Retriever(Protocol):
    def retrieve(self, question: Question, k: int, filters: Filters | None = None) -> list[Retrieved]: ...


class HybridRetriever:
    """mode: 'hybrid' (what users get), or 'dense' / 'lexical' alone, for the eval's ablations."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder, mode: str = "hybrid") -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.queries = QueryBatcher(embedder)
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
        lexical_hits = lexical.search(list(question.terms), n, filters.accepts if filters else None) if self.mode != "dense" else []
        nearest: list[tuple[str, float]] = []
        vector = None
        if self.mode != "lexical":
            query = question.search_text
            if question.unaccented_vietnamese:
                # Dense retrieval cannot read Vietnamese without its marks; give it the marks the
                # best BM25 passages write those words with.
                query = restore_diacritics(query, [chunk.text for chunk, _ in lexical_hits[:10]])
            vector = self.queries.embed_query(query)
            nearest = self.store.nearest(vector, n, where)
        chunks = self._held([chunk_id for chunk_id, _ in nearest], lexical)
        nearest = [(chunk_id, distance) for chunk_id, distance in nearest if chunk_id in chunks]
        similarity = {chunk_id: 1.0 - distance for chunk_id, distance in nearest}
        lexical_ids: list[str] = []
        for chunk, _ in lexical_hits:
            lexical_ids.append(chunk.chunk_id)
            chunks[chunk.chunk_id] = chunk

        def tie_key(chunk_id: str) -> tuple[str, int, str]:
            chunk = chunks[chunk_id]
            return Path(chunk.source).name, chunk.index, chunk_id

        extra: list[list[str]] = []
        weights: list[float] = []
        if self.mode == "hybrid":
            # An English question's glossary Vietnamese is not searched syllable by syllable (folded
            # Vietnamese syllables find every passage), only by whole phrases (_vietnamese_passages).
            translated = question.translated_terms if question.language == "vi" else ()
            named = self._named_documents(question, lexical, n, filters)
            vietnamese, strong = self._vietnamese_passages(question, lexical, n, filters)
            for hits, weight in ((named, 1.0),
                                 (self._named_by_meaning(question, named, vector, lexical, n, filters), NAMED_BY_MEANING_WEIGHT),
                                 (self._english_passages(question.bridge_terms, lexical, n, filters), 1.0),
                                 (self._english_passages(translated, lexical, n, filters), TRANSLATED_WEIGHT),
                                 (vietnamese, STRONG_VIETNAMESE_WEIGHT if strong and not named else TRANSLATED_WEIGHT)):
                extra.append([chunk.chunk_id for chunk, _ in hits])
                weights.append(weight)
                chunks.update((chunk.chunk_id, chunk) for chunk, _ in hits)
        fused = fuse([chunk_id for chunk_id, _ in nearest], lexical_ids, self.settings.rrf_k, tie_key=tie_key, extra=extra,
                     extra_weights=weights)
        return [
            Retrieved(chunks[f.chunk_id], f.score, f.dense_rank, f.lexical_rank, similarity.get(f.chunk_id))
            for f in fused[:k]
        ]

    def _held(self, chunk_ids: list[str], lexical: LexicalIndex) -> dict[str, Chunk]:
        """The chunks of these ids: from BM25, which holds every chunk, or, for one written after
        its last sync, from Chroma."""
        chunks = {chunk_id: chunk for chunk_id in chunk_ids if (chunk := lexical.get(chunk_id)) is not None}
        chunks.update((c.chunk_id, c) for c in self.store.get_chunks([i for i in chunk_ids if i not in chunks]))
        return chunks

    @staticmethod
    def _named_documents(question: Question, lexical: LexicalIndex, n: int, filters: Filters | None) -> list[tuple[Chunk, float]]:
        """The chunks of the documents the question names by number ('Circular 1/2026/TT-BNV'), best
        first by its words: a user who names a document asks about it, whatever language the
        question and the document are written in."""
        # Without the number's own words, which point at the document's header, not at the answer.
        naming = {t for number in (*question.doc_numbers, *question.short_citations) for t in terms(number)}
        words = [t for t in question.terms if t not in naming]
        named = lexical.named_by(question.doc_numbers, question.short_citations)
        if not named:
            return []
        # Then the chunks that hold the number (its header): a question in the other language shares
        # few other words with the document, and the document should still come first.
        hits: dict[str, tuple[Chunk, float]] = {}
        for chunk, score in [*lexical.search_document(words, named, 4 * n), *lexical.search_document(sorted(naming), named, n)]:
            if filters is None or filters.accepts(chunk):
                hits.setdefault(chunk.chunk_id, (chunk, score))
        return list(hits.values())[:n]

    def _named_by_meaning(
        self, question: Question, named: list[tuple[Chunk, float]], vector: np.ndarray | None, lexical: LexicalIndex, n: int,
        filters: Filters | None,
    ) -> list[tuple[Chunk, float]]:
        """The passages nearest the question in meaning of the documents it names in the other
        language: an English question on Circular 143/2025/TT-BTC shares its number with the header
        and few words with the article that answers it, and BM25 on its words reads only the header."""
        if vector is None:
            return []
        other = sorted({chunk.doc_id for chunk, _ in named if lexical.language(chunk) != question.language}
                       | self._names_only_vietnamese_writes(question, lexical) | self._named_in_english(question, lexical))
        if not other:
            return []
        where: dict[str, Any] = {"doc_id": {"$in": other}}
        if filters is not None and (restriction := filters.where()) is not None:
            where = {"$and": [where, restriction]}
        nearest = self.store.nearest(vector, min(n, NAMED_BY_MEANING), where)
        chunks = self._held([chunk_id for chunk_id, _ in nearest], lexical)
        return [(chunks[chunk_id], 1.0 - distance) for chunk_id, distance in nearest if chunk_id in chunks]

    @staticmethod
    def _names_only_vietnamese_writes(question: Question, lexical: LexicalIndex) -> set[str]:
        """The documents that name a place or a name an English question writes ('Nghe An province'
        is 'tỉnh Nghệ An' without its marks; 'the Vinh - Thanh Thuy expressway') when no English
        passage names it and a few Vietnamese documents do: the question is about them. 'Khanh Hoa',
        which English news writes, is not."""
        if question.language != "en":
            return set()
        found: set[str] = set()
        for place in dict.fromkeys((*question.place_names, *question.provinces, *question.names)):
            if len(place.split()) < 2 and place not in question.provinces:
                continue
            # The chunks BM25 finds by its words and the question's glossary Vietnamese ('nghe' alone
            # is 'nghề', a trade, in most passages; 'an' is no search term), then those holding all
            # its words in index order, read for the name itself ('gia' and 'lai' are everywhere).
            documents: set[str] = set()
            found_by_words = [chunk for chunk, _ in lexical.search([*terms(place), *question.translated_terms], PLACE_SEARCH)]
            for chunk in dict.fromkeys([*found_by_words, *lexical.holding(terms(place), PLACE_CANDIDATES)]):
                vietnamese = lexical.language(chunk) == "vi"
                if not contains_phrase(chunk.text, place) or (vietnamese and garbled(chunk.text)):
                    continue  # nor a scan read badly: its passages are close in meaning to anything
                if not vietnamese or len(documents | {chunk.doc_id}) > PLACE_DOCUMENTS_MOST:
                    documents = set()  # English writes it, or too many documents do: it says which one of none
                    break
                documents.add(chunk.doc_id)
            found |= documents
        return found

    @staticmethod
    def _named_in_english(question: Question, lexical: LexicalIndex) -> set[str]:
        """The English documents a Vietnamese question names by two or more English names it writes
        ('FAA', 'Boeing'): the few whose passages hold them all. BM25 finds such a document by its
        names, and its answering passage shares no other word with the question."""
        if question.language != "vi":
            return set()
        names = [t for t in question.bridge_terms if t.isalpha() and len(t) >= 2]
        if len(names) < 2:
            return set()  # one acronym ('COVID', 'MBA') is written in too many languages' texts
        found = lexical.search(names, PLACE_SEARCH, language="en")
        held = lexical.held_terms([chunk for chunk, _ in found], names)
        documents = {chunk.doc_id for (chunk, _), has in zip(found, held, strict=True) if set(names) <= has}
        return documents if len(documents) <= PLACE_DOCUMENTS_MOST else set()

    @staticmethod
    def _vietnamese_passages(
        question: Question, lexical: LexicalIndex, n: int, filters: Filters | None,
    ) -> tuple[list[tuple[Chunk, float]], bool]:
        """Vietnamese passages an English question's glossary phrases find: BM25 on their syllables,
        kept when the passage holds every syllable of at least two of the phrases of two syllables or
        more ('ủy ban nhân dân', 'giấy phép'); one folded syllable alone is in every passage. And
        whether the best kept holds VIETNAMESE_PHRASES_STRONG of them."""
        if question.language != "en":
            return [], False
        phrases = {frozenset(found) for _, found in matches(question.search_text, "en") if len(found) >= 2}
        if len(phrases) < VIETNAMESE_PHRASES_LEAST:
            return [], False
        words = sorted({t for phrase in phrases for t in phrase})
        found = lexical.search(words, VIETNAMESE_READ, filters.accepts if filters else None, language="vi")
        held = lexical.held_terms([chunk for chunk, _ in found], words)
        counts = [sum(phrase <= has for phrase in phrases) for has in held]
        kept = [hit for hit, count in zip(found, counts, strict=True) if count >= VIETNAMESE_PHRASES_LEAST]
        first_count = next((count for count in counts if count >= VIETNAMESE_PHRASES_LEAST), 0)
        # And most of the best ones are one document's: the phrases name what it is about.
        one_document = max(Counter(chunk.doc_id for chunk, _ in kept[:VIETNAMESE_BEST]).values(), default=0) >= VIETNAMESE_ONE_DOCUMENT
        return kept[:n], first_count >= VIETNAMESE_PHRASES_STRONG and one_document

    @staticmethod
    def _english_passages(words: tuple[str, ...], lexical: LexicalIndex, n: int, filters: Filters | None) -> list[tuple[Chunk, float]]:
        """Passages in English found by a Vietnamese question's words that English shares: those it
        writes as English does (question.bridge_terms: 'GOV.UK', 'NICS') or its words' glossary
        English (question.translated_terms). BM25 on the whole question ranks passages in its own
        language first, and the embedder reads across languages only roughly."""
        if not words:
            return []
        return lexical.search(list(words), n, filters.accepts if filters else None, language="en")
