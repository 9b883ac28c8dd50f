"""Text primitives shared by chunking, retrieval and answering: folding, tokens, sentence units.

Every offset here is a character offset into the NFC-normalised document text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Policy document numbers: 544-KL/TU, 06-NQ/TU, 60-NQ/TW, 123/QD-TTg, 1234/2024/ND-CP.
DOC_NUMBER = re.compile(r"\b\d+(?:/\d+)*(?:[-/][A-Za-zĐđ]+)+(?:[-/][A-Za-zĐđ0-9]+)*\b")
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER_SEPARATOR = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")

STOPWORDS = frozenset(
    """a an and are as at be by did do does for from has have how in is it its of on or that the
    their there this to was were what when where which who whom why with will would what's
    into about after before than then also any all can could should many much
    la cua va cac nhung duoc trong cho voi khong co nao gi bao nhieu the nhu nay do tai
    """.split()
)
_STEMMER = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """The canonical stored form of a document: NFC, Unix newlines."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip Vietnamese (and other) diacritics: 'Nghị quyết' -> 'nghi quyet'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")


def match_form(text: str) -> str:
    """Folded, single-spaced, thousands separators dropped: the form facts and claims are compared in."""
    return " ".join(_THOUSANDS.sub("", fold(text)).split())


def contains_phrase(haystack: str, phrase: str) -> bool:
    """Whether phrase occurs in haystack in match form, at word boundaries ('14' is not in '2014')."""
    needle = match_form(phrase)
    if not needle:
        return False
    pattern = (r"(?<!\w)" if needle[0].isalnum() else "") + re.escape(needle) + (r"(?!\w)" if needle[-1].isalnum() else "")
    return re.search(pattern, match_form(haystack)) is not None


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def terms(text: str) -> list[str]:
    """Lexical terms for BM25 and sentence scoring: folded, stemmed, stopwords dropped.

    Document numbers are kept whole ('544-kl/tu') besides their parts, so they match exactly.
    """
    folded = _NUMBER_SEPARATOR.sub("", fold(text))
    out = [m.group(0) for m in DOC_NUMBER.finditer(folded)]
    for word in _WORD.findall(folded):
        if word in STOPWORDS or word == "_":
            continue
        out.append(word if word.isdigit() else _STEMMER.stemWord(word))
    return out


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]*\s+|\n")
_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:No|Nos|Mr|Mrs|Ms|Dr|St|Art|Vol|e\.g|i\.e|etc|vs)\.$", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?:;\"”’)]\s*$")


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentence-like units and return their spans (trimmed of whitespace).

    A line that does not end a sentence and is followed by a line starting in lower case is
    joined to it: that is how wrapped lines in OCR scans read.
    """
    pieces: list[Span] = []
    cursor = 0
    for match in _BOUNDARY.finditer(text):
        if _ABBREVIATION.search(text[max(0, match.start() - 8) : match.start()]):
            continue
        pieces.append(Span(cursor, match.start()))
        cursor = match.end()
    pieces.append(Span(cursor, len(text)))

    units: list[Span] = []
    for piece in pieces:
        raw = text[piece.start : piece.end]
        stripped = raw.strip()
        if not stripped:
            continue
        start = piece.start + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        if units and _continues(text[units[-1].start : units[-1].end], text[units[-1].end : start], stripped):
            units[-1] = Span(units[-1].start, end)
        else:
            units.append(Span(start, end))
    return [Span(u.start + offset, u.end + offset) for u in units]


def _continues(previous: str, gap: str, following: str) -> bool:
    if gap.count("\n") > 1 or _TERMINAL.search(previous):
        return False
    last_line = previous.rsplit("\n", 1)[-1]
    first = following[0]
    return first.islower() or first.isdigit() or first in ",;)-–" or len(last_line) >= 50
