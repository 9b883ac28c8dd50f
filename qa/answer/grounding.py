"""Post-processing of generated answers, in one place: [n] markers -> sources, claims -> checks.

Every sentence that states a number, date, document number or name must find it in the text of
the sources it cites; otherwise the sentence is marked unsupported.
"""

from __future__ import annotations

import re

from qa.answer.citations import CITATION_MARK, cite
from qa.results import Citation, Retrieved, SentenceSupport
from qa.text import contains_phrase, sentence_spans, terms
from qa.types import Chunk

_NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*")
_DOC_NUMBER = re.compile(r"\b\d+(?:/\d+)*(?:[-/][A-ZĐ][A-Za-zĐđ]*)+\b")
# Two or more capitalised words in a row, not at a sentence start: a name worth checking.
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZĐ][\wÀ-ỹ]+(?:\s+[A-ZĐ][\wÀ-ỹ]+)+")


def cited_numbers(text: str) -> list[int]:
    """The [n] numbers in order of first appearance ('[1, 3]' counts as 1 and 3)."""
    seen: list[int] = []
    for mark in CITATION_MARK.finditer(text):
        for part in mark.group(1).split(","):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def renumber(text: str, valid: set[int]) -> tuple[str, dict[int, int]]:
    """Drop markers for sources that were not given; renumber the rest 1..m by first appearance."""
    mapping: dict[int, int] = {}
    for n in cited_numbers(text):
        if n in valid:
            mapping[n] = len(mapping) + 1

    def replace(mark: re.Match[str]) -> str:
        kept = [mapping[int(p)] for p in mark.group(1).split(",") if int(p) in mapping]
        return "[" + ", ".join(str(n) for n in dict.fromkeys(kept)) + "]" if kept else ""

    cleaned = CITATION_MARK.sub(replace, text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), mapping


def claims(sentence: str) -> list[str]:
    """The checkable parts of a sentence: numbers, dates, document numbers, multi-word names."""
    bare = CITATION_MARK.sub(" ", sentence)
    found = [m.group(0) for m in _DOC_NUMBER.finditer(bare)]
    found += [m.group(0) for m in _NUMBER.finditer(bare) if not any(m.group(0) in d for d in found)]
    found += [m.group(0) for m in _NAME.finditer(bare.strip())]
    return list(dict.fromkeys(found))


def check_sentences(text: str, sources: dict[int, str]) -> list[SentenceSupport]:
    """Split an answer (already renumbered) into sentences and check each against its citations."""
    out: list[SentenceSupport] = []
    for span in sentence_spans(text):
        sentence = text[span.start : span.end]
        cites = [n for n in cited_numbers(sentence) if n in sources]
        checkable = claims(sentence)
        if not cites:
            out.append(SentenceSupport(text=sentence, citations=[], supported=not checkable, missing=checkable))
            continue
        cited_text = "\n".join(sources[n] for n in cites)
        missing = [c for c in checkable if not contains_phrase(cited_text, c)]
        out.append(SentenceSupport(text=sentence, citations=cites, supported=not missing, missing=missing))
    return out


def quote_for(chunk: Chunk, claim_text: str) -> tuple[int, int]:
    """The sentence of a cited chunk that best matches what the answer says about it."""
    wanted = set(terms(claim_text))
    best, best_overlap = None, -1
    for span in sentence_spans(chunk.text, offset=chunk.start):
        overlap = len(wanted & set(terms(chunk.slice(span.start, span.end))))
        if overlap > best_overlap:
            best, best_overlap = span, overlap
    return (best.start, best.end) if best else (chunk.start, chunk.end)


def ground(text: str, packed: list[Retrieved]) -> tuple[str, list[Citation], list[SentenceSupport]]:
    """Renumber a generated answer's citations, build the Citations, check every sentence."""
    cleaned, mapping = renumber(text, set(range(1, len(packed) + 1)))
    sources = {new: packed[old - 1].chunk.text for old, new in mapping.items()}
    sentences = check_sentences(cleaned, sources)
    citations = []
    for old, new in sorted(mapping.items(), key=lambda item: item[1]):
        hit = packed[old - 1]
        chunk = hit.chunk
        said = " ".join(s.text for s in sentences if new in s.citations)
        start, end = quote_for(chunk, said)
        citations.append(cite(new, chunk, start, end, hit.score))
    return cleaned, citations, sentences
