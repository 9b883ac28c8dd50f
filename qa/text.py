"""Text primitives shared by chunking, retrieval and answering: folding, tokens, sentence units.

Every offset here is a character offset into the NFC-normalised document text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import Stemmer

# Policy document numbers: 544-KL/TU, 06-NQ/TU, 60-NQ/TW, 123/QD-TTg, 1234/2024/ND-CP.
# '145/QĐ-UBND', '06-NQ/TU', and the National Assembly's '132/2025/QH15' (letters, then its term).
# Not an English compound of a number and a measure: '68-year-old', '18-week', '24-hour'.
_MEASURE_COMPOUND = (r"(?![-/](?i:years?|old|weeks?|days?|hours?|months?|minutes?|seconds?|members?|persons?|people|pages?|points?|"
                     r"rooms?|beds?|seats?|miles?|foot|feet|inch(?:es)?|met(?:re|er)s?|kilomet(?:re|er)s?|km|tons?|tonnes?|units?|"
                     r"times?|steps?|stars?|parts?|ways?|storey|story|percent|acres?|bedrooms?|lanes?|phases?|kg|cars?)\b)")
DOC_NUMBER = re.compile(r"\b\d+(?:/\d+)*" + _MEASURE_COMPOUND + r"(?:[-/][A-Za-zĐđ]+\d*)+(?:[-/][A-Za-zĐđ0-9]+)*\b")
_WORD = re.compile(r"\w+", re.UNICODE)


def doc_number_key(number: str) -> str:
    """A document number as it is matched: folded, without leading zeros ('Circular 1/2026/TT-BNV'
    is the document that writes its own number '01/2026/TT-BNV')."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", fold(number))
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


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_MONTH = r"(" + "|".join(m[:3] + r"(?:" + m[3:] + r")?" for m in _MONTHS) + r")\.?"
# Dates in the forms policy texts use, on folded text: 15/3/2024, 15-03-2024, 2024-03-15,
# "ngay 15 thang 3 nam 2024", "15 March 2024", "March 15, 2024"; and months: "thang 3 nam 2024",
# "thang 3/2024", "March 2024", "03/2024".
_DATE_FORMS: list[tuple[re.Pattern[str], tuple[str, str, str]]] = [
    (re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/.-]\d)"), ("d", "m", "y")),
    (re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"\bngay (\d{1,2}),? thang (\d{1,2}),? nam (\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?" + _MONTH + r",? (\d{4})\b"), ("d", "M", "y")),
    (re.compile(r"\b" + _MONTH + r" (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b"), ("M", "d", "y")),
]
_MONTH_FORMS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"\bthang (\d{1,2})(?: nam |/)(\d{4})\b"), ("m", "y")),
    (re.compile(r"\b" + _MONTH + r",? (\d{4})\b"), ("M", "y")),
    (re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{4})(?![\d/])"), ("m", "y")),
]


def _month_number(value: str) -> int:
    return next(i + 1 for i, m in enumerate(_MONTHS) if m.startswith(value[:3]))


def _iso(parts: dict[str, str]) -> str | None:
    month = _month_number(parts["M"]) if "M" in parts else int(parts["m"])
    day = int(parts.get("d", "1"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{int(parts['y']):04d}-{month:02d}" + (f"-{day:02d}" if "d" in parts else "")


def dates_in(text: str) -> set[str]:
    """Every date (YYYY-MM-DD) and month (YYYY-MM) written in text, in any common form."""
    folded = match_form(text)
    found: set[str] = set()
    for pattern, order in _DATE_FORMS:
        for m in pattern.finditer(folded):
            if (iso := _iso(dict(zip(order, m.groups(), strict=True)))) is not None:
                found.add(iso)
    for pattern, month_order in _MONTH_FORMS:
        for m in pattern.finditer(folded):
            if (iso := _iso(dict(zip(month_order, m.groups(), strict=True)))) is not None:
                found.add(iso)
    return found


def _as_date(phrase: str) -> str | None:
    """The date a phrase is, when the whole phrase is one date or month ('15/3/2024', 'March 2024')."""
    folded = match_form(phrase)
    for pattern, order in _DATE_FORMS:
        if (m := pattern.fullmatch(folded)) is not None:
            return _iso(dict(zip(order, m.groups(), strict=True)))
    for pattern, month_order in _MONTH_FORMS:
        if (m := pattern.fullmatch(folded)) is not None:
            return _iso(dict(zip(month_order, m.groups(), strict=True)))
    return None


def contains_phrase(haystack: str, phrase: str) -> bool:
    """Whether phrase occurs in haystack in match form, at word boundaries.

    Numbers match as whole numbers ('14' is not in '2014', nor in '14.5'), and a phrase that is a
    date matches that date in any common form ('15/3/2024' = 'ngày 15 tháng 3 năm 2024' =
    '15 March 2024').
    """
    needle = match_form(phrase)
    if not needle:
        return False
    date = _as_date(phrase)
    if date is not None and date in dates_in(haystack):
        return True
    before = r"(?<!\w)(?<!\d[.,])" if needle[0].isalnum() else ""
    after = r"(?!\w)(?![.,]\d)" if needle[-1].isalnum() else ""
    return re.search(before + re.escape(needle) + after, match_form(haystack)) is not None


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


Language = Literal["vi", "en"]
# Letters only Vietnamese uses among the languages we meet (with or without tone marks).
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)

# A Vietnamese syllable without its marks: onset, rhyme, coda ('nguyen', 'thuong', 'quyet').
VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|oai|oay|oeo|ieu|uou|uoi|yeu|uy|oa|oe|oi|ai|ao|au|ay|eo|eu|ia|iu|ua|ui|uo|uu|ue|ye|ie|ay|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def language_of(text: str) -> Language:
    """The language a passage is written in: Vietnamese when its letters say so (a name with
    diacritics inside English text does not), or when it reads as Vietnamese without its marks."""
    sample = DOC_NUMBER.sub(" ", text[:1500])
    words = sample.split()
    # Letters only Vietnamese uses, then every marked word counts ('Báo cáo', 'các', 'tín' carry
    # marks French and Spanish share): 'Báo cáo 'Special measures: 1 year on' về các quỹ ...' is Vietnamese.
    if any(VIETNAMESE_LETTERS.search(w) for w in words) and sum(has_diacritics(w) for w in words) >= 0.3 * len(words):
        return "vi"
    # Without its marks, or OCR'd with the wrong ones ('Tiép tuc ddy manh'): its words still read
    # as Vietnamese syllables (English text: 0.1-0.35 of them; Vietnamese: 0.9 and more).
    folded = [w for w in re.findall(r"[a-z]+", fold(sample)) if len(w) > 1]
    syllables = sum(VIETNAMESE_SYLLABLE.fullmatch(w) is not None for w in folded)
    return "vi" if len(folded) >= 3 and syllables >= 0.8 * len(folded) else "en"


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


# English month names, folded: dates in English documents and questions ('December 31, 2010').
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
          "december")
MONTH = "(?:" + "|".join(MONTHS) + ")"

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]*\s+|\n")
# A line's label, up to its full stop: 'Điều 1.', 'Article 3.', '1.4.', 'IV.'.
_LABEL = re.compile(
    r"\s*(?:(?:điều|article|chương|chapter|mục|phần|part|section|khoản|điểm)\s+)?(?:\d{1,3}(?:\.\d{1,3})*|[ivxlc]{1,6})\.$",
    re.IGNORECASE,
)
# A heading's label opening a line: 'Điều 1.', 'Chương II', 'Article 3:' (not 'Điều 20 Nghị định ...', wrapped).
HEADING_LABEL = re.compile(
    r"(?:điều|article|chương|chapter|mục|phần|part|section)\s+(?:\d{1,3}|[ivxlc]{1,6})(?:[.:]|\s*$)", re.IGNORECASE | re.MULTILINE
)
_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:No|Nos|Mr|Mrs|Ms|Dr|St|Art|Vol|e\.g|i\.e|etc|vs)\.$", re.IGNORECASE)
# A line's end that ends a sentence: a stop, or a closing quote or bracket after one ('(AD)' does not).
_TERMINAL = re.compile(r"(?:[.!?:;]|[.!?][\"”’)]+)\s*$")
# What opens a list item: a dash or bullet, '2.', '2)', 'b)'.
_LIST_MARK = re.compile(r"(?:[-–•◦▪■●+*]|\d{1,2}[.)]|\(\d{1,2}\)|[a-zđ]\))(?:\s|$)")
# Words no sentence ends on: a line that ends with one wraps ('which applies to all The' / 'Boeing Company ...').
_OPEN_ENDED = frozenset("an and the of to for from in on at by with or as that which whose into than "
                        "cua va cac nhung duoc trong cho voi tai theo ve hoac la".split())


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentence-like units and return their spans (trimmed of whitespace).

    A line that does not end a sentence and is followed by a line starting in lower case is
    joined to it: that is how wrapped lines in OCR scans read.
    """
    pieces: list[Span] = []
    cursor = 0
    line = (0, -1, False)  # (start, end, is a table row) of the line last looked at: each line is read once
    for match in _BOUNDARY.finditer(text):
        if _ABBREVIATION.search(text[max(0, match.start() - 8) : match.start()]) or text.endswith("....", 0, match.start()):
            continue  # 'No.', 'e.g.', and a table of contents' dot leaders ('test ........ 40 work-hours')
        if "\n" not in match.group(0):
            if not line[0] <= match.start() < line[1]:
                line = _line_at(text, match.start())
            if line[2]:
                continue  # a table row is one unit: '... số 39/2026/NĐ-CP . | Cục Đo đạc ... |' ends a cell, not the row
            if _LABEL.match(text, line[0], match.start()):
                continue  # 'Điều 1. Phạm vi điều chỉnh', '1.4. Thời hạn giải quyết: ...': a label heads its line
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


def _line_at(text: str, at: int) -> tuple[int, int, bool]:
    """(start, end, is a table row) of the line holding offset `at`."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    end = end if end >= 0 else len(text)
    return start, end, " | " in text[start:end]


def _continues(previous: str, gap: str, following: str) -> bool:
    if gap.count("\n") > 1 or _TERMINAL.search(previous):
        return False
    if " | " in previous.rsplit("\n", 1)[-1] or " | " in following.split("\n", 1)[0]:
        return False  # table rows are lines of their own
    last_line = previous.rsplit("\n", 1)[-1]
    if _LIST_MARK.match(following) or HEADING_LABEL.match(following):
        return False  # '- TP HCM (khu vực I)', '2. Pay the fee', 'Điều 1. Phạm vi': an item or a heading starts its own unit
    first = following[0]
    # '... 40 work-hours × $85 per hour =' / '$3,400.': an amount goes on its line before.
    words = last_line.split()
    return (first.islower() or first.isdigit() or first in ",;)-–$£€%" or last_line.rstrip().endswith(("=", "×", "+"))
            or len(last_line) >= 50 or (bool(words) and fold(words[-1]) in _OPEN_ENDED))


# A figure, with at most a unit after it ('1', '1,2%', '$ 71.15', '10 ngày'); 'Năm 2024' names a column.
_SHORT_FIGURE = re.compile(r"^[$£€]?\s?[-+]?\d[\d.,/%]*(?:\s*[^\s\d]{1,12})?$")


def names_columns(line: str) -> bool:
    """A row that names columns: no cell of it is a short figure ('1', '1,2%', '10 ngày')."""
    return not any(_SHORT_FIGURE.match(cell.strip()) for cell in line.split(" | "))
