"""Documents -> chunks sized in tiktoken tokens, cut on sentence boundaries, with exact offsets.

A chunk's text is always `document_text[start:end]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import tiktoken

from qa.loaders import LoadedDocument
from qa.metadata import PolicyMetadata
from qa.text import Span, sentence_spans


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    doc_id: str
    source: str
    title: str
    section: str
    index: int
    start: int
    end: int
    text: str
    doc_hash: str
    # Headings that start inside this chunk, as (document offset, heading), so a quote deep in a
    # chunk names the section it really sits in.
    inner_headings: tuple[tuple[int, str], ...] = ()
    page: int | None = None
    inner_pages: tuple[tuple[int, int], ...] = ()
    # Policy metadata of the whole document (qa/metadata.py), kept on every chunk for filtering.
    doc_number: str = ""
    doc_type: str = ""
    issued: str = ""
    issuer: str = ""

    def section_at(self, offset: int) -> str:
        section = self.section
        for start, heading in self.inner_headings:
            if start <= offset:
                section = heading
        return section

    def page_at(self, offset: int) -> int | None:
        page = self.page
        for start, number in self.inner_pages:
            if start <= offset:
                page = number
        return page


def chunk_id_for(doc_id: str, doc_hash: str, index: int) -> str:
    """Ids name the document's content, so a changed document's chunks never collide with the old."""
    return f"{doc_id}:{doc_hash[:12]}:{index}"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def _split_long(text: str, span: Span, max_tokens: int) -> list[Span]:
    """Cut a unit longer than a chunk at whitespace, about max_tokens apiece."""
    pieces: list[Span] = []
    start = span.start
    while start < span.end:
        tokens = count_tokens(text[start : span.end])
        if tokens <= max_tokens:
            pieces.append(Span(start, span.end))
            break
        guess = start + (span.end - start) * max_tokens // tokens
        cut = text.rfind(" ", start + 1, guess)
        cut = guess if cut <= start else cut
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    return pieces


def chunk_document(
    doc: LoadedDocument,
    doc_id: str,
    source: str,
    doc_hash: str,
    chunk_tokens: int,
    overlap_tokens: int,
    meta: PolicyMetadata | None = None,
) -> list[Chunk]:
    meta = meta or PolicyMetadata()
    text = doc.text
    units: list[Span] = []
    for span in sentence_spans(text):
        units.extend(_split_long(text, span, chunk_tokens))
    sizes = [count_tokens(text[u.start : u.end]) for u in units]

    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, sizes[first]
        while last + 1 < len(units) and total + sizes[last + 1] <= chunk_tokens:
            last += 1
            total += sizes[last]
        start, end = units[first].start, units[last].end
        index = len(chunks)
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc_id, doc_hash, index),
                doc_id=doc_id,
                source=source,
                title=doc.title,
                section=doc.section_at(start),
                index=index,
                start=start,
                end=end,
                text=text[start:end],
                doc_hash=doc_hash,
                inner_headings=tuple((h.start, h.text) for h in doc.headings if start < h.start < end),
                page=doc.page_at(start),
                inner_pages=tuple((o, n) for o, n in doc.pages if start < o < end),
                doc_number=meta.doc_number.value if meta.doc_number else "",
                doc_type=meta.doc_type,
                issued=meta.issued.value if meta.issued else "",
                issuer=meta.issuer.value if meta.issuer else "",
            )
        )
        if last + 1 >= len(units):
            break
        # Step back over whole units worth at most `overlap_tokens`, but always move forward.
        next_first, carried = last + 1, 0
        while next_first - 1 > first and carried + sizes[next_first - 1] <= overlap_tokens:
            next_first -= 1
            carried += sizes[next_first]
        first = next_first
    return chunks
