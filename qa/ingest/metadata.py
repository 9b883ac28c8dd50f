"""Policy metadata found in a document's opening: number, type, issue date, issuing body.

Each value keeps the character span it was read from, so an answer built on it can cite it.
Patterns are matched on diacritic-folded text (OCR scans lose diacritics) whose offsets equal the
original's, since folding maps one precomposed character to one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qa.text import fold

HEAD_CHARS = 2500

_CODES = {"nq": "resolution", "kl": "conclusion", "qd": "decision", "kh": "plan", "ct": "directive",
          "nd": "decree", "tb": "notice", "tt": "circular", "cv": "letter", "bc": "report"}
_VI_TYPES = {"ket luan": "conclusion", "nghi quyet": "resolution", "quyet dinh": "decision", "ke hoach": "plan",
             "chi thi": "directive", "nghi dinh": "decree", "thong bao": "notice", "thong tu": "circular"}
_EN_TYPES = ("resolution", "conclusion", "decision", "plan", "directive", "decree", "notice", "circular", "law")

_SO_NUMBER = re.compile(r"\b(?:so|s6|s0|sb|no\.?)\s*:?\s*(\d+(?:/\d+)*(?:[-/][a-z]+)+(?:[-/][a-z0-9]+)*)")
_ANY_NUMBER = re.compile(r"\b\d+(?:/\d+)*-(?:nq|kl|qd|kh|ct|nd|tb|tt)(?:[-/][a-z0-9]+)+\b")
_EN_NUMBER = re.compile(r"\b(resolution|decision|conclusion|decree|directive|plan|law) no\.? ?(\d+(?:/[\w-]+)?)")
_VI_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_NUM_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_EN_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r") (\d{1,2}), (\d{4})\b")
_VI_ISSUER = re.compile(
    r"^\W*((?:tinh uy|thanh uy|uy ban nhan dan|hoi dong nhan dan|ban thuong vu)(?: tinh| thanh pho)? [a-z]+(?: [a-z]+)?)"
    r"(?= +(?:[dp]ang cong san|cong hoa|$))",
    re.MULTILINE,
)
_EN_ISSUER = re.compile(
    r"\b((?:[A-Z][a-z]+ ){1,3}(?:Province|Provincial) (?:People's Committee|Party Committee|People's Council)"
    r"|(?:People's Committee|Party Committee) of (?:[A-Z][a-z]+ ){1,3}[Pp]rovince)"
)
NUMBER_ZONE = 400  # a number further in is a reference to another document, not this one's own


@dataclass(frozen=True)
class Field:
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class PolicyMetadata:
    doc_number: Field | None = None
    doc_type: str = "news"
    issued: Field | None = None  # value is an ISO date
    issuer: Field | None = None

    @property
    def year(self) -> int | None:
        return int(self.issued.value[:4]) if self.issued else None


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _first_date(head: str) -> Field | None:
    found = []
    for pattern in (_VI_DATE, _NUM_DATE):
        for m in pattern.finditer(head):
            iso = _iso(m.group(1), m.group(2), m.group(3))
            if iso:
                found.append(Field(iso, m.start(), m.end()))
    for m in _EN_DATE.finditer(head):
        iso = _iso(m.group(2), str(_MONTHS.index(m.group(1)) + 1), m.group(3))
        if iso:
            found.append(Field(iso, m.start(), m.end()))
    return min(found, key=lambda f: f.start) if found else None


def extract_metadata(text: str) -> PolicyMetadata:
    raw = text[:HEAD_CHARS]
    head = fold(raw)
    if len(head) != len(raw):  # a character that folds to several would shift offsets
        head = "".join(fold(c)[:1] or " " for c in raw)

    number: Field | None = None
    m = _SO_NUMBER.search(head, 0, NUMBER_ZONE) or _ANY_NUMBER.search(head, 0, NUMBER_ZONE)
    if m:
        group = 1 if m.re is _SO_NUMBER else 0
        number = Field(raw[m.start(group) : m.end(group)], m.start(group), m.end(group))
    english = _EN_NUMBER.search(head, 0, 120)
    if number is None and english:
        number = Field(raw[english.start() : english.end()], english.start(), english.end())

    doc_type = "news"
    code = re.search(r"-([a-z]+)", number.value.lower()) if number else None
    if code and code.group(1) in _CODES:
        doc_type = _CODES[code.group(1)]
    else:
        opening = head[:600]
        vi = [(opening.find(k), t) for k, t in _VI_TYPES.items() if re.search(rf"^\W*{k}\b", opening, re.MULTILINE)]
        if vi:
            doc_type = min(vi)[1]
        elif english and english.start() < 300:
            doc_type = english.group(1)
        elif re.match(rf"^\W*({'|'.join(_EN_TYPES)})\b", opening):
            doc_type = re.match(rf"^\W*({'|'.join(_EN_TYPES)})\b", opening).group(1)  # type: ignore[union-attr]

    issuer: Field | None = None
    im = _VI_ISSUER.search(head) or _EN_ISSUER.search(raw)
    if im:
        value = " ".join(raw[im.start(1) : im.end(1)].split())
        issuer = Field(value if not value.isupper() else value.title(), im.start(1), im.end(1))

    return PolicyMetadata(doc_number=number, doc_type=doc_type, issued=_first_date(head), issuer=issuer)
