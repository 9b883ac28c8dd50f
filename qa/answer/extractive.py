"""The offline answerer: quote the retrieved sentences that best answer the question, or refuse.

Each sentence is scored by the share of the question's terms (weighted by IDF) it contains. The
best score is the evidence; below the calibrated threshold the answer is the refusal phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qa.answer.base import AnswerRequest, Draft
from qa.answer.citations import cite
from qa.answer.refusal import RefusalModel
from qa.index.lexical import LexicalIndex
from qa.question import AnswerType, Question
from qa.text import fold, sentence_spans, terms
from qa.types import Chunk, Retrieved, refusal_for

BACKEND = "extractive"


@dataclass(frozen=True)
class Candidate:
    chunk: Chunk
    start: int
    end: int
    terms: frozenset[str]
    score: float
    rank: int


_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b(?:19|20)\d\d\b|\bngay \d|\b(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b"
)
_DIGIT = re.compile(r"\d")
_VALUE_PATTERNS: dict[AnswerType, re.Pattern[str]] = {"date": _DATE, "number": _DIGIT}


def holds_wanted_value(question: Question, text: str) -> bool:
    """Whether text holds the kind of value the question asks for (True when it asks for none)."""
    if question.answer_type is None:
        return True
    return _VALUE_PATTERNS[question.answer_type].search(fold(text)) is not None


def question_weights(question: Question, idf: Callable[[str], float]) -> dict[str, float]:
    """IDF weights of the question's terms, without its question words, the focus word doubled."""
    weights = {t: idf(t) for t in question.content_terms}
    for t in question.focus & weights.keys():
        weights[t] *= 2
    return weights


def _coverage(question_terms: dict[str, float], unit_terms: frozenset[str]) -> float:
    total = sum(question_terms.values()) or 1.0
    return sum(w for t, w in question_terms.items() if t in unit_terms) / total


def _candidates(
    question: Question, question_terms: dict[str, float], retrieved: list[Retrieved], lexical: LexicalIndex
) -> list[Candidate]:
    """Score every sentence of the retrieved chunks.

    A sentence's score mixes its own coverage of the question's terms with that of its neighbours
    (a date line under a heading that names the document answers 'when was it issued'), plus a
    bonus when it holds the kind of value the question asks for.
    """
    focus = question.focus & question_terms.keys()
    names = question.name_pairs
    about: dict[str, bool] = {}
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(retrieved):
        chunk = hit.chunk
        if chunk.doc_id not in about:
            about[chunk.doc_id] = not names or any(lexical.document_mentions(chunk.doc_id, n) for n in names)
        spans = sentence_spans(chunk.text, offset=chunk.start)
        texts = [chunk.slice(sp.start, sp.end) for sp in spans]
        unit_terms = [frozenset(terms(t)) for t in texts]
        for i, span in enumerate(spans):
            key = (chunk.doc_id, span.start, span.end)
            if key in seen:
                continue
            seen.add(key)
            window = unit_terms[i].union(*unit_terms[max(0, i - 1) : i + 2])
            score = 0.75 * _coverage(question_terms, unit_terms[i]) + 0.25 * _coverage(question_terms, window)
            if focus and not focus & unit_terms[i]:
                score *= 0.75  # the sentence does not mention what is asked about
            if not about[chunk.doc_id]:
                score *= 0.5  # from a document that never names the place or body the question is about
            if len(texts[i].split()) <= 6 and not _DIGIT.search(texts[i]):
                score *= 0.5  # a heading names a topic; it rarely answers a question about it
            if question.answer_type is not None:
                # A sentence without a date cannot say when; without a number, how many.
                score = score + 0.1 if holds_wanted_value(question, texts[i]) else score * 0.5
            # A small prior for better-ranked chunks breaks ties between equally worded sentences.
            out.append(Candidate(chunk, span.start, span.end, unit_terms[i], score + 0.02 / (rank + 1), rank))
    return out


def unknown_names(question: Question, lexical: LexicalIndex) -> list[str]:
    """Proper names and document numbers in the question that no indexed chunk mentions: 'Hanoi'
    in a Khanh Hoa corpus, or 'Chỉ thị 05/CT-UBND' when no document holds that number."""
    unknown = [number for number in sorted(question.doc_numbers) if lexical.document_frequency(number) == 0]
    for word in question.name_words:
        found = terms(word)
        if found and all(lexical.document_frequency(t) == 0 for t in found):
            unknown.append(word)
    return unknown


def _refusal(question: Question, evidence: float, confidence: float | None = None, signals: dict[str, float] | None = None) -> Draft:
    return Draft(refusal_for(question.language), True, [], evidence, BACKEND, confidence=confidence, signals=signals or {})


_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def refusal_signals(
    question: Question, best: Candidate, candidates: list[Candidate], retrieved: list[Retrieved], weights: dict[str, float]
) -> dict[str, float]:
    """What the refusal model reads about the best passage (qa/answer/refusal.py)."""
    hit = next((r for r in retrieved if r.chunk.chunk_id == best.chunk.chunk_id), None)
    runner_up = next((c.score for c in candidates if c.chunk.chunk_id != best.chunk.chunk_id), 0.0)
    chunk_terms = frozenset(terms(best.chunk.text))
    asked_numbers = [n for n in _NUMBER.findall(question.ask) if not any(n in d for d in question.doc_numbers)]
    folded_chunk = fold(best.chunk.text)
    top = max(weights.values(), default=1.0) or 1.0
    # The rarest asked-for word the best passage's chunk never uses: 'budget' in 'the budget of Trang E'.
    missing_rare = max((w for t, w in weights.items() if t not in chunk_terms), default=0.0) / top
    return {
        "missing_rare": missing_rare,
        "chunk_coverage": _coverage(weights, chunk_terms),
        "same_document": float(len(retrieved) > 1 and retrieved[0].chunk.doc_id == retrieved[1].chunk.doc_id),
        "evidence": best.score,
        "margin": best.score - runner_up,
        "agree": float(hit is not None and hit.dense_rank is not None and hit.lexical_rank is not None),
        "dense_similarity": float(hit.dense_similarity or 0.0) if hit else 0.0,
        "lexical_top": float(hit is not None and hit.lexical_rank is not None and hit.lexical_rank < 3),
        "rank": float(best.rank),
        "missing_numbers": sum(n not in folded_chunk for n in asked_numbers) / max(1, len(asked_numbers)),
        "missing_names": sum(not pair <= chunk_terms for pair in question.name_pairs) / max(1, len(question.name_pairs)),
        "story": float(bool(question.story)),
        "vietnamese": float(question.language == "vi"),
        "wanted_value": float(holds_wanted_value(question, best.chunk.slice(best.start, best.end))),
    }


def answer_extractively(
    question: Question, retrieved: list[Retrieved], lexical: LexicalIndex, threshold: float, max_quotes: int,
    model: RefusalModel | None = None,
) -> Draft:
    """Refuse below `threshold`, when the best passage lacks the kind of value asked for, or when
    the fitted refusal model's confidence is under its cut."""
    if unknown_names(question, lexical):
        return _refusal(question, 0.0, 0.0 if model else None)
    question_terms = question_weights(question, lexical.idf)
    candidates = _candidates(question, question_terms, retrieved, lexical)
    candidates.sort(key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.start))
    if not candidates:
        return _refusal(question, 0.0, 0.0 if model else None)
    best = candidates[0]
    evidence = best.score
    signals = refusal_signals(question, best, candidates, retrieved, question_terms)
    confidence = model.confidence(signals) if model else None
    if evidence < threshold or (threshold > 0 and not signals["wanted_value"]):
        # Below the evidence bar, or asked for a number or a date the best passage does not hold.
        return _refusal(question, evidence, confidence, signals)
    if model is not None and confidence is not None and confidence < model.cut:
        return _refusal(question, evidence, confidence, signals)

    chosen = [best]
    covered = set(best.terms)
    for cand in candidates[1:]:
        if len(chosen) >= max_quotes:
            break
        adds_terms = any(t in cand.terms and t not in covered for t in question_terms)
        bar = 0.6 if cand.chunk.doc_id == best.chunk.doc_id else 0.85
        if cand.score >= bar * evidence and adds_terms:
            chosen.append(cand)
            covered |= cand.terms
    before, items, more = complete_unit(best)
    spans = [(best.chunk, start, end, best.score) for start, end in before]
    spans += [(c.chunk, c.start, c.end, c.score) for c in chosen[:1]]
    spans += [(best.chunk, start, end, best.score) for start, end in items]
    spans += [(c.chunk, c.start, c.end, c.score) for c in chosen[1:] if not any(c.start < e and s < c.end for _, s, e, _ in spans)]
    citations = [cite(n, chunk, start, end, score) for n, (chunk, start, end, score) in enumerate(spans, start=1)]
    text = " ".join(f"{' '.join(c.quote.split())} [{c.n}]" for c in citations)
    if more:
        text += f" (và {more} mục khác)" if question.language == "vi" else f" (and {more} more)"
    return Draft(text, False, citations, evidence, BACKEND, confidence=confidence, signals=signals)


LIST_CAP = 8
_LIST_ITEM = re.compile(r"^\s*(?:[-–•+*]|\d{1,2}[.)]|[a-zđ]\)|[ivx]{1,4}\.)\s")
_REFERS_BACK = re.compile(r"^(it|its|they|their|this|these|those|such|he|she|the (?:same|latter|former)|no|ho|day|viec nay|dieu nay)\b")


def complete_unit(best: Candidate) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """What the best sentence needs to be read alone: (spans before it, spans after it, items left out).

    A sentence ending in ':' brings the list it introduces (up to LIST_CAP items); a table row
    brings its table's header row; a sentence whose subject is a pronoun brings the one before it.
    """
    chunk = best.chunk
    spans = sentence_spans(chunk.text, offset=chunk.start)
    at = next((i for i, sp in enumerate(spans) if sp.start <= best.start < sp.end), None)
    if at is None:
        return [], [], 0
    text = chunk.slice(best.start, best.end)
    before: list[tuple[int, int]] = []
    after: list[tuple[int, int]] = []
    more = 0
    if text.rstrip().endswith(":"):
        following = spans[at + 1 :]
        listed = [sp for sp in following if _LIST_ITEM.match(chunk.slice(sp.start, sp.end))] or following
        after = [(sp.start, sp.end) for sp in listed[:LIST_CAP]]
        more = max(0, len(listed) - LIST_CAP)
    elif " | " in text:
        first = at
        while first > 0 and " | " in chunk.slice(spans[first - 1].start, spans[first - 1].end):
            first -= 1
        if first < at:
            before = [(spans[first].start, spans[first].end)]
    elif at > 0 and _REFERS_BACK.match(fold(text.lstrip())):
        before = [(spans[at - 1].start, spans[at - 1].end)]
    return before, after, more


class ExtractiveAnswerer:
    """Always answers (or refuses): the last answerer in every chain."""

    backend = BACKEND

    def __init__(
        self, lexical: Callable[[], LexicalIndex], threshold: float, max_quotes: int, model: RefusalModel | None = None
    ) -> None:
        self._lexical = lexical
        self.threshold = threshold
        self.max_quotes = max_quotes
        self.model = model

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        draft = answer_extractively(
            request.question, request.retrieved, self._lexical(), self.threshold, self.max_quotes, self.model
        )
        yield draft.text
        yield draft
