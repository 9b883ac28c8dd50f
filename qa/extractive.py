"""The offline answerer: quote the retrieved sentences that best answer the question, or refuse.

Each sentence is scored by the share of the question's terms (weighted by IDF) it contains. The
best score is the evidence; below the calibrated threshold the answer is the refusal phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.answer import REFUSAL, Citation
from qa.chunking import Chunk
from qa.lexical import LexicalIndex
from qa.retrieve import Retrieved
from qa.text import sentence_spans, terms


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


def _candidates(question_terms: dict[str, float], retrieved: list[Retrieved]) -> list[Candidate]:
    total = sum(question_terms.values()) or 1.0
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for rank, hit in enumerate(retrieved):
        chunk = hit.chunk
        for span in sentence_spans(chunk.text, offset=chunk.start):
            key = (chunk.doc_id, span.start, span.end)
            if key in seen:
                continue
            seen.add(key)
            unit_terms = frozenset(terms(chunk.text[span.start - chunk.start : span.end - chunk.start]))
            coverage = sum(w for t, w in question_terms.items() if t in unit_terms) / total
            # A small prior for better-ranked chunks breaks ties between equally worded sentences.
            out.append(Candidate(chunk, span.start, span.end, unit_terms, coverage + 0.02 / (rank + 1), rank))
    return out


def answer_extractively(
    question: str, retrieved: list[Retrieved], lexical: LexicalIndex, threshold: float, max_quotes: int
) -> ExtractiveResult:
    question_terms = {t: lexical.idf(t) for t in terms(question)}
    candidates = sorted(_candidates(question_terms, retrieved), key=lambda c: -c.score)
    evidence = candidates[0].score if candidates else 0.0
    if not candidates or evidence < threshold:
        return ExtractiveResult(REFUSAL, True, [], evidence)

    best = candidates[0]
    chosen = [best]
    covered = set(best.terms)
    for cand in candidates[1:]:
        if len(chosen) >= max_quotes:
            break
        adds_terms = any(t in cand.terms and t not in covered for t in question_terms)
        if cand.score >= 0.6 * evidence and adds_terms:
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
                section=cand.chunk.section, start=cand.start, end=cand.end, quote=quote,
                score=round(cand.score, 4),
            )
        )
        parts.append(f"{' '.join(quote.split())} [{n}]")
    return ExtractiveResult(" ".join(parts), False, citations, evidence)
