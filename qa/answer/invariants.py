"""What must hold for every answer, whichever answerer wrote it (extractive, metadata, generated,
streamed): every quote is exactly the stored document text at [start:end], every [n] in the text is
one of its citations, and every page is the page the quoted span starts on. The eval harness checks
every answer it scores, and the tests break each path on purpose to see this fail."""

from __future__ import annotations

from qa.answer.grounding import cited_numbers
from qa.index.store import ChunkStore
from qa.results import Answer
from qa.types import Chunk


def _chunk_at(chunks: list[Chunk], offset: int) -> Chunk | None:
    return next((c for c in chunks if c.start <= offset < c.end), None)


def violations(answer: Answer, store: ChunkStore) -> list[str]:
    """Broken invariants, as readable lines; empty when the answer is sound."""
    problems: list[str] = []
    numbers = [c.n for c in answer.citations]
    if len(set(numbers)) != len(numbers):
        problems.append(f"citation numbers repeat: {numbers}")
    if answer.refused and answer.citations:
        problems.append("a refusal carries citations")
    referred = cited_numbers(answer.answer)
    for n in referred:
        if n not in numbers:
            problems.append(f"[{n}] in the answer is not one of its citations")
    texts: dict[str, str] = {}
    chunks: dict[str, list[Chunk]] = {}
    for c in answer.citations:
        if c.doc_id not in texts:
            chunks[c.doc_id] = store.document_chunks(c.doc_id)
            texts[c.doc_id] = store.document_text(c.doc_id)
        text = texts[c.doc_id]
        if not 0 <= c.start < c.end <= len(text):
            problems.append(f"[{c.n}] span {c.start}-{c.end} lies outside its document ({len(text)} characters)")
            continue
        if text[c.start : c.end] != c.quote:
            problems.append(f"[{c.n}] quote is not the document text at {c.start}-{c.end}")
        holder = _chunk_at(chunks[c.doc_id], c.start)
        if holder is None:
            problems.append(f"[{c.n}] starts at {c.start}, which no stored chunk of its document holds")
        elif holder.page_at(c.start) != c.page:
            problems.append(f"[{c.n}] says page {c.page}, but its span starts on page {holder.page_at(c.start)}")
        if c.n not in referred:
            problems.append(f"citation [{c.n}] is never referred to in the answer")
    return problems
