"""The one Citation builder: a span of a stored chunk becomes a Citation whose quote is exactly
document_text[start:end], with the section and page the span starts in."""

from __future__ import annotations

from qa.types import Chunk, Citation


def cite(n: int, chunk: Chunk, start: int, end: int, score: float) -> Citation:
    if not chunk.start <= start < end <= chunk.end:
        raise ValueError(f"span {start}-{end} is not inside chunk {chunk.chunk_id} ({chunk.start}-{chunk.end})")
    return Citation(
        n=n, doc_id=chunk.doc_id, source=chunk.source, title=chunk.title, section=chunk.section_at(start),
        page=chunk.page_at(start), start=start, end=end, quote=chunk.slice(start, end), score=round(score, 4),
    )
