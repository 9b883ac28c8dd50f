"""The one Citation builder: a span of a stored chunk becomes a Citation whose quote is exactly
document_text[start:end], with the section and page the span starts in."""

from __future__ import annotations

import re

from qa.results import Citation
from qa.types import Chunk

# A citation mark in an answer's text: '[2]', '[1, 3]'. There, '[n]' is ours alone, so a document's
# own footnote marks ('Bắc Ninh[4]') are written otherwise (inline_quote).
CITATION_MARK = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SUPERSCRIPT = str.maketrans("0123456789,", "⁰¹²³⁴⁵⁶⁷⁸⁹˒")


def inline_quote(quote: str) -> str:
    """A quote as an answer's text shows it: on one line, the document's own bracketed footnote
    numbers written as superscripts ('Bắc Ninh⁴'), so that every '[n]' is one of the answer's
    citations. The citation keeps the exact text."""
    return CITATION_MARK.sub(lambda m: m.group(1).replace(" ", "").translate(_SUPERSCRIPT), " ".join(quote.split()))


def cite(n: int, chunk: Chunk, start: int, end: int, score: float) -> Citation:
    if not chunk.start <= start < end <= chunk.end:
        raise ValueError(f"span {start}-{end} is not inside chunk {chunk.chunk_id} ({chunk.start}-{chunk.end})")
    return Citation(
        n=n, doc_id=chunk.doc_id, source=chunk.source, title=chunk.title, section=chunk.section_at(start),
        page=chunk.page_at(start), start=start, end=end, quote=chunk.slice(start, end), score=round(score, 4),
    )
