"""Answers that come from policy metadata rather than from sentence matching: "When was 544-KL/TU
issued?" and "Which documents were issued in 2024?". Each still quotes the line of the document the
value was read from, so it is checked like any other answer."""

from __future__ import annotations

import re

from qa.answer import Citation
from qa.extractive import ExtractiveResult, expected_type
from qa.metadata import HEAD_CHARS, Field, extract_metadata
from qa.store import ChunkStore, DocumentInfo
from qa.text import DOC_NUMBER, fold, sentence_spans

_BY_YEAR = re.compile(
    r"\b(?:which|what|list)\b.*\b(?:documents?|resolutions?|conclusions?|decisions?|plans?|texts?|news|articles?)\b"
    r".*\b(?:issued|published|dated|adopted|signed)\b.*\b((?:19|20)\d\d)\b"
    r"|\bvan ban nao\b.*\b(?:ban hanh|ky)\b.*\b((?:19|20)\d\d)\b"
)


def _quote_line(text: str, doc: DocumentInfo, field: Field | None, n: int) -> Citation | None:
    """The sentence around a metadata value, as a citation (an exact slice of the stored text)."""
    if field is None:
        return None
    span = next((s for s in sentence_spans(text[:HEAD_CHARS]) if s.start <= field.start < s.end), None)
    start, end = (span.start, span.end) if span else (field.start, field.end)
    return Citation(n=n, doc_id=doc.doc_id, source=doc.source, title=doc.title, start=start, end=end,
                    quote=text[start:end], score=1.0)


def metadata_answer(question: str, store: ChunkStore) -> ExtractiveResult | None:
    folded = fold(question)
    numbers = {m.group(0) for m in DOC_NUMBER.finditer(folded)}
    by_year = _BY_YEAR.search(folded)
    if not by_year and not (numbers and expected_type(question) is not None):
        return None
    citations: list[Citation] = []
    if by_year:
        year = by_year.group(1) or by_year.group(2)
        for doc in (d for d in store.documents() if d.issued.startswith(year)):
            text = store.document_head(doc, HEAD_CHARS)
            cited = _quote_line(text, doc, extract_metadata(text).issued, len(citations) + 1)
            if cited:
                citations.append(cited)
        if not citations:
            return None
        lines = [f"{c.title}: “{' '.join(c.quote.split())}” [{c.n}]" for c in citations]
        return ExtractiveResult(f"Documents issued in {year}: " + "; ".join(lines), False, citations, 1.0)
    targets = [d for d in store.documents() if d.doc_number and fold(d.doc_number) in numbers]
    if len(targets) != 1 or not ("ban hanh" in folded or "issu" in folded or "dated" in folded or "sign" in folded):
        return None
    doc = targets[0]
    text = store.document_head(doc, HEAD_CHARS)
    meta = extract_metadata(text)
    for field in (meta.issued, meta.doc_number):
        cited = _quote_line(text, doc, field, len(citations) + 1)
        if cited and all(c.start != cited.start for c in citations):
            citations.append(cited)
    if not citations or meta.issued is None:
        return None
    text = " ".join(f"“{' '.join(c.quote.split())}” [{c.n}]" for c in citations)
    return ExtractiveResult(f"{doc.doc_number} was issued on {meta.issued.value}: {text}", False, citations, 1.0)
