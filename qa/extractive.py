"""The offline answerer: quote the retrieved sentences that best answer the question, or refuse.

Each sentence is scored by the share of the question's terms (weighted by IDF) it contains. The
best score is the evidence; below the calibrated threshold the answer is the refusal phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.answer import REFUSAL, Citation
from qa.chunking import Chunk
from qa.lexical import LexicalIndex
from qa.retrieve import Retrieved
from qa.text import fold, sentence_spans, terms


@dataclass(frozen=True)
class Candidate:
    chunk: Chunk
    start: int
    end: int
    terms: frozenset[str]
    score: float
    rank: int


@dataclass(frozen=True)
class ExtractiveResult:
    text: str
    refused: bool
    citations: list[Citation]
    evidence: float


_DATE_QUESTION = re.compile(r"\b(when|what date|which date|what day|which day|what year|which year|ngay nao|khi nao|nam nao|thoi gian nao)\b")
_NUMBER_QUESTION = re.compile(
    r"\b(how many|how much|how long|how large|how big|what percent\w*|bao nhieu|ty le|"
    r"what (?:is|was|are|were) the (?:rate|area|number|total|scale|budget|cost|size|length|capacity|population))\b"
)
_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b(?:19|20)\d\d\b|\bngay \d|\b(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b"
)
_DIGIT = re.compile(r"\d")


def expected_type(question: str) -> re.Pattern[str] | None:
    """What the answer must contain, when the question says so: a date or a number."""
    folded = fold(question)
    if _DATE_QUESTION.search(folded):
        return _DATE
    if _NUMBER_QUESTION.search(folded):
        return _DIGIT
    return None


_QUESTION_PHRASE = re.compile(r"\b(how (?:many|much|long|large|big|far|old)|what (?:is|are|was|were)|bao nhieu)\b")
_FOCUS = re.compile(
    r"^(?:what|which|how many|how much|who|whom)\s+(?:(?:is|are|was|were|does|do|did|will be|will)\s+)?(?:the\s+|a\s+)?(\w+)"
)


def focus_terms(question: str) -> set[str]:
    """The word a question asks about: 'budget' in 'What is the budget for the coastal road?'."""
    focus = _FOCUS.search(fold(question))
    return set(terms(focus.group(1))) if focus else set()


def question_weights(question: str, idf: Callable[[str], float]) -> dict[str, float]:
    """IDF weights of the question's terms, without its question words, the focus word doubled."""
    weights = {t: idf(t) for t in terms(_QUESTION_PHRASE.sub(" ", fold(question)))}
    for t in focus_terms(question) & weights.keys():
        weights[t] *= 2
    return weights


def _coverage(question_terms: dict[str, float], unit_terms: frozenset[str]) -> float:
    total = sum(question_terms.values()) or 1.0
    return sum(w for t, w in question_terms.items() if t in unit_terms) / total


_NAME_PHRASE = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*)+")


def named_places(question: str) -> list[frozenset[str]]:
    """Each pair of adjacent capitalised words in the question, as term sets: from 'Khanh Hoa
    Provincial Party Committee' come 'Khanh Hoa', 'Hoa Provincial', 'Provincial Party', ..., so a
    Vietnamese document that names only 'Khanh Hoa' still counts as being about it."""
    pairs = []
    for phrase in _NAME_PHRASE.findall(question.strip()):
        words = phrase.split()
        pairs += [found for a, b in zip(words, words[1:], strict=False) if (found := frozenset(terms(f"{a} {b}")))]
    return pairs


def _candidates(
    question: str, question_terms: dict[str, float], retrieved: list[Retrieved], lexical: LexicalIndex
) -> list[Candidate]:
    """Score every sentence of the retrieved chunks.

    A sentence's score mixes its own coverage of the question's terms with that of its neighbours
    (a date line under a heading that names the document answers 'when was it issued'), plus a
    bonus when it holds the kind of value the question asks for.
    """
    wanted = expected_type(question)
    focus = focus_terms(question) & question_terms.keys()
    names = named_places(question)
    about: dict[str, bool] = {}
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(retrieved):
        chunk = hit.chunk
        if chunk.doc_id not in about:
            about[chunk.doc_id] = not names or any(lexical.document_mentions(chunk.doc_id, n) for n in names)
        spans = sentence_spans(chunk.text, offset=chunk.start)
        texts = [chunk.text[sp.start - chunk.start : sp.end - chunk.start] for sp in spans]
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
            if wanted is not None:
                # A sentence without a date cannot say when; without a number, how many.
                score = score + 0.1 if wanted.search(fold(texts[i])) else score * 0.5
            # A small prior for better-ranked chunks breaks ties between equally worded sentences.
            out.append(Candidate(chunk, span.start, span.end, unit_terms[i], score + 0.02 / (rank + 1), rank))
    return out


_NAME_WORD = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-ZĐ][\wÀ-ỹ]{2,}")


def unknown_names(question: str, lexical: LexicalIndex) -> list[str]:
    """Proper names in the question that no indexed chunk mentions: 'Hanoi' in a Khanh Hoa corpus."""
    unknown = []
    for word in _NAME_WORD.findall(question.strip()):
        found = terms(word)
        if found and all(lexical.document_frequency(t) == 0 for t in found):
            unknown.append(word)
    return unknown


def answer_extractively(
    question: str, retrieved: list[Retrieved], lexical: LexicalIndex, threshold: float, max_quotes: int
) -> ExtractiveResult:
    if unknown_names(question, lexical):
        return ExtractiveResult(REFUSAL, True, [], 0.0)
    question_terms = question_weights(question, lexical.idf)
    candidates = sorted(_candidates(question, question_terms, retrieved, lexical), key=lambda c: -c.score)
    evidence = candidates[0].score if candidates else 0.0
    if not candidates or evidence < threshold:
        return ExtractiveResult(REFUSAL, True, [], evidence)
    wanted = expected_type(question)
    best_text = candidates[0].chunk.text[candidates[0].start - candidates[0].chunk.start : candidates[0].end - candidates[0].chunk.start]
    if wanted is not None and not wanted.search(fold(best_text)):
        # Asked for a number or a date, the best passage holds none: the documents do not say.
        return ExtractiveResult(REFUSAL, True, [], evidence)

    best = candidates[0]
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
    # A sentence that introduces a list (ends with ':') is quoted with what follows it.
    if best.chunk.text[best.end - best.chunk.start - 1 : best.end - best.chunk.start] == ":":
        following = [c for c in candidates if c.chunk.doc_id == best.chunk.doc_id and c.start >= best.end]
        following.sort(key=lambda c: c.start)
        for cand in following[: max(0, max_quotes - len(chosen))]:
            chosen.append(cand)

    citations: list[Citation] = []
    parts: list[str] = []
    for n, cand in enumerate(chosen, start=1):
        quote = cand.chunk.text[cand.start - cand.chunk.start : cand.end - cand.chunk.start]
        citations.append(
            Citation(
                n=n, doc_id=cand.chunk.doc_id, source=cand.chunk.source, title=cand.chunk.title,
                section=cand.chunk.section_at(cand.start), page=cand.chunk.page_at(cand.start), start=cand.start, end=cand.end, quote=quote,
                score=round(cand.score, 4),
            )
        )
        parts.append(f"{' '.join(quote.split())} [{n}]")
    return ExtractiveResult(" ".join(parts), False, citations, evidence)
