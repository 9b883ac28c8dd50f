"""Answers that come from policy metadata rather than from sentence matching: "When was 544-KL/TU
issued?" and "Which documents were issued in 2024?". Each still quotes the line of the document the
value was read from, so it is checked like any other answer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from qa.answer.base import AnswerRequest, Draft
from qa.answer.citations import cite
from qa.index.store import ChunkStore
from qa.ingest.anatomy import HEAD_CHARS, Field, read_anatomy
from qa.text import fold, sentence_spans
from qa.types import Chunk, Citation, DocumentInfo

BACKEND = "extractive"

_BY_YEAR = re.compile(
    r"\b(?:which|what|list)\b.*\b(?:documents?|resolutions?|conclusions?|decisions?|plans?|texts?|news|articles?)\b"
    r".*\b(?:issued|published|dated|adopted|signed)\b.*\b((?:19|20)\d\d)\b"
    r"|\bvan ban nao\b.*\b(?:ban hanh|ky)\b.*\b((?:19|20)\d\d)\b"
)


def _quote_line(head: list[Chunk], field: Field | None, n: int) -> Citation | None:
    """The sentence around a metadata value, as a citation."""
    if field is None:
        return None
    chunk = next((c for c in head if c.start <= field.start < c.end), None)
    if chunk is None:
        return None
    span = next((s for s in sentence_spans(chunk.text, offset=chunk.start) if s.start <= field.start < s.end), None)
    start, end = (span.start, span.end) if span else (field.start, min(field.end, chunk.end))
    return cite(n, chunk, start, end, 1.0)


class MetadataAnswerer:
    """Issue dates and documents by year, read from the documents' opening lines. They read the
    whole index, so they stay out of questions restricted by filters or asked of another retriever."""

    backend = BACKEND

    def __init__(self, store: ChunkStore) -> None:
        self.store = store

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        if not request.whole_index:
            return
        draft = self._answer(request)
        if draft is not None:
            yield draft.text
            yield draft

    def _docs_head(self, doc: DocumentInfo) -> list[Chunk]:
        return self.store.document_head_chunks(doc, HEAD_CHARS)

    def _answer(self, request: AnswerRequest) -> Draft | None:
        question = request.question
        by_year = _BY_YEAR.search(question.folded)
        if not by_year and not (question.doc_numbers and question.answer_type is not None):
            return None
        citations: list[Citation] = []
        if by_year:
            year = by_year.group(1) or by_year.group(2)
            for doc in (d for d in self.store.documents() if d.issued.startswith(year)):
                head = self._docs_head(doc)
                cited = _quote_line(head, read_anatomy(self.store.document_text(doc.doc_id)).issued, len(citations) + 1)
                if cited:
                    citations.append(cited)
            if not citations:
                return None
            lines = [f"{c.title}: “{' '.join(c.quote.split())}” [{c.n}]" for c in citations]
            return Draft(f"Documents issued in {year}: " + "; ".join(lines), False, citations, 1.0, BACKEND)
        folded = question.folded
        targets = [d for d in self.store.documents() if d.doc_number and fold(d.doc_number) in question.doc_numbers]
        if len(targets) != 1 or not ("ban hanh" in folded or "issu" in folded or "dated" in folded or "sign" in folded):
            return None
        doc = targets[0]
        head = self._docs_head(doc)
        meta = read_anatomy(self.store.document_text(doc.doc_id))
        for field in (meta.issued, meta.doc_number):
            cited = _quote_line(head, field, len(citations) + 1)
            if cited and all(c.start != cited.start for c in citations):
                citations.append(cited)
        if not citations or meta.issued is None:
            return None
        quotes = " ".join(f"“{' '.join(c.quote.split())}” [{c.n}]" for c in citations)
        return Draft(f"{doc.doc_number} was issued on {meta.issued.value}: {quotes}", False, citations, 1.0, BACKEND)
