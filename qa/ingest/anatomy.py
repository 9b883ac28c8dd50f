"""The anatomy of a policy document, read at ingest, with an exact span for every part.

Vietnamese administrative and legal documents follow Decree 30/2020/NĐ-CP: a header (issuing
body, number and symbol, place and date), the type and title (trích yếu), the body in Phần,
Chương, Mục, Điều, Khoản and Điểm (or numbered sections I., 1., a) in plans and reports), then the
recipients (Nơi nhận) and the signature block (TM./KT./Q./TL. authority, position, name). English
documents use Part, Chapter, Section and Article. Patterns run on diacritic-folded text, whose
offsets equal the original's, so OCR'd scans that lost their diacritics are read the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from qa.text import DOC_NUMBER, MONTHS, fold

HEAD_CHARS = 2500


@dataclass(frozen=True)
class Field:
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Part:
    kind: str  # phan, chuong, muc, dieu, khoan, diem, section (I./1./a) and English parts)
    label: str  # "Điều 5", "Chương II", "Khoản 2", "Article 3"
    title: str
    start: int
    end: int
    depth: int


@dataclass(frozen=True)
class Anatomy:
    doc_number: Field | None = None
    doc_type: str = "news"
    issued: Field | None = None  # value is an ISO date
    issuer: Field | None = None
    title: Field | None = None
    effective: Field | None = None  # an ISO date, or "on signing"
    signer: Field | None = None
    position: Field | None = None
    authority: Field | None = None
    recipients: Field | None = None
    parts: list[Part] = field(default_factory=list)
    relations: list[tuple[str, Field]] = field(default_factory=list)
    # The special articles, by role: effect, scope, subjects, definitions, implementation.
    special: dict[str, Part] = field(default_factory=dict)
    # Numbered lines outside articles ('1.', '1.4.'), as ((1, 4), title, start): an annex's outline.
    outline: list[tuple[tuple[int, ...], str, int]] = field(default_factory=list)
    # The annexes after the body ('PHỤ LỤC' and its title), each to the next or the end.
    annexes: list[Field] = field(default_factory=list)

    def path_at(self, offset: int) -> str:
        """'Chương II › Điều 5 › Khoản 2': the parts that hold this offset, outermost first."""
        return " › ".join(p.label for p in self.parts if p.start <= offset < p.end)

    def context_at(self, offset: int) -> str:
        """The titles of the headings a passage starting at `offset` sits under, outermost first,
        from headings that start before it: 'Điều 5. Tiến độ thực hiện', or in an annex '1. Tên thủ
        tục hành chính: Đăng ký hoạt động ứng phó ...' above '1.4. Thời hạn giải quyết'. Every
        procedure of a decision's annex has its own 'Thời hạn giải quyết'; only this says whose."""
        titled = [f"{p.label}. {p.title[:OUTLINE_TITLE_CHARS]}" for p in self.parts
                  if p.kind not in ("khoan", "diem", "section") and p.start < offset < p.end and p.title]
        annex = next((a.value for a in reversed(self.annexes) if a.start < offset), "")
        if annex and not titled:
            titled = [annex]  # a table of the annex means what the annex's title says it lists
        return " › ".join([*titled, *_outline_at(self.outline, offset)])[:CONTEXT_CHARS]

    def headings(self) -> list[tuple[int, str]]:
        """(offset, path) at every part and annex start: where the path of the text changes (an
        annex's rows are not in the last article's last clause)."""
        found = [(p.start, self.path_at(p.start)) for p in self.parts] + [(a.start, a.value) for a in self.annexes]
        return sorted(found, key=lambda heading: heading[0])


_CODES = {"nq": "resolution", "kl": "conclusion", "qd": "decision", "kh": "plan", "ct": "directive",
          "nd": "decree", "tb": "notice", "tt": "circular", "cv": "letter", "bc": "report", "ttg": "decision",
          "l": "law"}
_VI_TYPES = {"luat": "law", "bo luat": "law", "nghi dinh": "decree", "nghi quyet": "resolution", "quyet dinh": "decision",
             "chi thi": "directive", "thong tu": "circular", "ke hoach": "plan", "ket luan": "conclusion",
             "thong bao": "notice", "cong van": "letter", "bao cao": "report", "phap lenh": "law", "lenh": "law",
             "chuong trinh": "plan", "de an": "plan", "huong dan": "guidance", "to trinh": "report"}
_VI_TYPE_LINE = re.compile(r"^\W*(" + "|".join(sorted(_VI_TYPES, key=len, reverse=True)) + r")\s*$", re.MULTILINE)

_SO_NUMBER = re.compile(r"\b(?:so|s6|s0|sb|no\.?)\s*:?\s*(\d+\s?(?:/\d+)*(?:[-/][a-z]+\d*)+(?:[-/][a-z0-9]+)*)")
_ANY_NUMBER = re.compile(r"\b\d+(?:/\d+)*-(?:nq|kl|qd|kh|ct|nd|tb|tt)(?:[-/][a-z0-9]+)+\b")
_EN_NUMBER = re.compile(r"\b(resolution|decision|conclusion|decree|directive|plan|law) no\.? ?(\d+(?:/[\w-]+)?)")
# English documents' own identifiers: Federal Register, IRS notices, GAO reports, gov.uk references.
_EN_IDENTIFIER = re.compile(
    r"(fr doc\.? ?\d{4}\s?[-–]\s?\d+|gao-\d{2}-\d+|notice \d{3,5}|publication \d{2,5}[a-z]?)\b|\bref:\s*([a-z]{2,6} ?\d{2,6})\b"
)
_PLACE_DATE = re.compile(r"([a-z][a-z .]{1,40}),\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_VI_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_NUM_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_EN_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r") (\d{1,2}),? (\d{4})\b")
_EN_DATE_DMY = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r"),? (\d{4})\b")
# Where a Vietnamese document's preamble starts, folded: the laws it rests on, who proposed it.
PREAMBLE = re.compile(r"^\W*(can cu|xet de nghi|theo de nghi)\b", re.MULTILINE)
_VI_ISSUER_LINE = re.compile(
    r"^\W*((?:tinh uy|thanh uy|uy ban nhan dan|hoi dong nhan dan|ban thuong vu|chu tich uy ban nhan dan|quoc hoi|"
    r"chinh phu|thu tuong chinh phu|bo [a-z ,]+?|ban chap hanh [a-z ]+?|van phong [a-z ]+?|so [a-z ,]+?)"
    r"(?: tinh| thanh pho)?(?: [a-z]+){0,4}?)\s*(?=\||cong hoa|[dp]ang cong san|$)",
    re.MULTILINE,
)
# GOV.UK pages name who publishes them on a line of their own: 'From: Skills Funding Agency'.
_FROM_LINE = re.compile(r"^From:[ \t]*([^\n]{3,160}?)[ \t]*$", re.MULTILINE)
_EN_ISSUER = re.compile(
    r"\b((?:[A-Z][a-z]+ ){1,3}(?:Province|Provincial) (?:People's Committee|Party Committee|People's Council)"
    r"|(?:People's Committee|Party Committee) of (?:[A-Z][a-z]+ ){1,3}[Pp]rovince)"
)

# Structure: each pattern matches at a line start (folded text); depth orders them.
_STRUCTURE = [
    ("phan", 0, re.compile(r"^(phan (?:thu [a-z]+|[ivxlc]+|\d+))\b\.?\s*(.*)$", re.MULTILINE)),
    ("chuong", 1, re.compile(r"^(chuong [ivxlc]+|chuong \d+)\b\.?\s*(.*)$", re.MULTILINE)),
    ("muc", 2, re.compile(r"^(muc \d+)\b\.?\s*(.*)$", re.MULTILINE)),
    # 'Điều 5. Tiến độ', or 'Điều 5' alone on its line, its title (if any) below.
    ("dieu", 3, re.compile(r"^(dieu \d+[a-z]?)(?:\s*[.:]\s*(.*)|\s*)$", re.MULTILINE)),
    ("part", 0, re.compile(r"^(part [ivxlc\d]+)\b[.:—-]?\s*(.*)$", re.MULTILINE)),
    ("chapter", 1, re.compile(r"^(chapter [ivxlc\d]+)\b[.:—-]?\s*(.*)$", re.MULTILINE)),
    ("article", 3, re.compile(r"^(article \d+[a-z]?)\b[.:—-]?\s*(.*)$", re.MULTILINE)),
    ("section", 3, re.compile(r"^((?:section|§) ?\d+(?:\.\d+)*)\b[.:—-]?\s*(.*)$", re.MULTILINE)),
]
_ROMAN_SECTION = re.compile(r"^([ivx]{1,4})\.\s+(\S.*)$", re.MULTILINE)
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(\S.*)$", re.MULTILINE)
# A numbered heading of an outline: '1. Tên thủ tục ...', '1.4. Thời hạn giải quyết: ...', '2.1 Scope'.
# Two digits a level at most, so a procedure code ('1.012786 Cấp lại ...') is not one.
_OUTLINE_LINE = re.compile(r"^(\d{1,2}\.(?:\d{1,2}\.?)*)\s+(\S.*)$", re.MULTILINE)
# How much of its headings' titles a passage carries, and of each title.
CONTEXT_CHARS = 300
OUTLINE_TITLE_CHARS = 100
# An annex starts a new outline: 'PHỤ LỤC', 'ANNEX 2', in capitals ('Phụ lục I' inside a procedure
# names a form to fill in).
_ANNEX_LINE = re.compile(r"^\W*(?:PHỤ LỤC|ANNEX|APPENDIX)\b", re.MULTILINE)
_LETTERED = re.compile(r"^([a-zđ])\)\s+(\S.*)$", re.MULTILINE)
_LABELS = {"phan": "Phần", "chuong": "Chương", "muc": "Mục", "dieu": "Điều", "part": "Part", "chapter": "Chapter",
           "article": "Article", "section": "Section"}

_SPECIAL = {
    "effect": re.compile(r"hieu luc thi hanh|hieu luc|entry into force|effective date|commencement"),
    "scope": re.compile(r"pham vi dieu chinh|^scope\b"),
    "subjects": re.compile(r"doi tuong ap dung|^application\b|^who (?:this|it) applies"),
    "definitions": re.compile(r"giai thich tu ngu|^definitions?\b|^interpretation\b"),
    "implementation": re.compile(r"trach nhiem thi hanh|to chuc thuc hien|^implementation\b"),
}

_EFFECTIVE = re.compile(
    r"(?:co hieu luc|hieu luc thi hanh)(?: thi hanh)?(?: ke)? tu ngay\s+(ky|thong qua|ban hanh|"
    r"\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4})"
    r"|(?:effective|takes effect|comes? into force|come into effect)(?: on| from| as of)?\s+("
    + "|".join(MONTHS) + r") (\d{1,2}),? (\d{4})"
)
_AUTHORITY = re.compile(r"\b(tm|kt|q|tl|tuq|t/m|k/t)\s?\.?\s?(?=[a-z])")
_POSITION = re.compile(
    (r"\b((?:pho )?(?:chu tich(?: quoc hoi| nuoc)?|thu tuong(?: chinh phu)?|bo truong|thu truong|giam doc|"
     r"chanh van phong|truong ban|bi thu|chu nhiem|tong giam doc|cuc truong|vu truong|tong bi thu|"
     r"thuong truc|uy vien))\b").replace(" ", r"\s+")
)
# A Vietnamese signer's name starts with a family name; a seal or a place in title case does not.
_SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly truong lam tong ha dinh mai cao luu dao "
    "quach thai ta chau luong kieu trieu la tu chu khuc doan vuong to lai thach giang tang trinh kim danh ong dam "
    "than lu quan nong y son dieu ninh nghiem phung mac lo".split()
)
_NAME_RUN = re.compile(r"[A-ZĐ][a-zà-ỹđ]+\b(?:[ \t]*\n?[ \t]*[A-ZĐ][a-zà-ỹđ]+\b){1,4}")
_EN_SIGNER = re.compile(
    r"(?i:issued|signed|dated)(?: at [^\n]{1,40})? on [^\n]{4,40}\.\s*\n\s*([A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-z'-]+){1,2}),\s*\n\s*([^\n,]{3,80})"
)
_RELATION_VERBS = [
    ("replaces", re.compile(r"\bthay the\b|\breplac")),
    ("repeals", re.compile(r"\bbai bo\b|\bhet hieu luc\b|\brepeal")),
    ("amends", re.compile(r"\bsua doi\b|\bbo sung\b|\bamend")),
    ("implements", re.compile(r"\bhuong dan\b|\bquy dinh chi tiet\b|\bimplement")),
    ("cites", re.compile(r"\bcan cu\b|\btheo\b|\bpursuant\b|\bunder\b")),
]


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _dates(head: str) -> list[Field]:
    found = []
    for pattern in (_VI_DATE, _NUM_DATE):
        for m in pattern.finditer(head):
            if iso := _iso(m.group(1), m.group(2), m.group(3)):
                found.append(Field(iso, m.start(), m.end()))
    for m in _EN_DATE.finditer(head):
        if iso := _iso(m.group(2), str(MONTHS.index(m.group(1)) + 1), m.group(3)):
            found.append(Field(iso, m.start(), m.end()))
    for m in _EN_DATE_DMY.finditer(head):
        if iso := _iso(m.group(1), str(MONTHS.index(m.group(2)) + 1), m.group(3)):
            found.append(Field(iso, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _folded(raw: str) -> str:
    folded = fold(raw)
    if len(folded) != len(raw):  # a character that folds to several would shift offsets
        folded = "".join(fold(c)[:1] or " " for c in raw)
    return folded


def _issue_date(folded: str, preamble: int) -> Field | None:
    """The header's '<place>, ngày … tháng … năm …' line; never a date cited in the preamble."""
    zone = folded[: min(preamble, HEAD_CHARS)]
    place = _PLACE_DATE.search(zone)
    if place:
        iso = _iso(place.group(2), place.group(3), place.group(4))
        if iso:
            return Field(iso, place.start(2) - len("ngay "), place.end())
    dates = _dates(zone)
    return dates[0] if dates else None


def _doc_number(raw: str, folded: str) -> Field | None:
    zone = min(len(folded), 600)
    m = _SO_NUMBER.search(folded, 0, zone) or _ANY_NUMBER.search(folded, 0, zone)
    if m:
        group = 1 if m.re is _SO_NUMBER else 0
        return Field(raw[m.start(group) : m.end(group)].replace(" ", ""), m.start(group), m.end(group))
    english = _EN_NUMBER.search(folded, 0, 120)
    if english:
        return Field(raw[english.start() : english.end()], english.start(), english.end())
    ident = _EN_IDENTIFIER.search(folded)
    if ident:
        group = 1 if ident.group(1) else 2
        value = re.sub(r"\s*[-–]\s*", "-", " ".join(raw[ident.start(group) : ident.end(group)].split()))
        return Field(value, ident.start(group), ident.end(group))
    return None


def _type_and_title(raw: str, folded: str, preamble: int, number: Field | None) -> tuple[str, Field | None]:
    line = _VI_TYPE_LINE.search(folded, 0, min(preamble, HEAD_CHARS))
    doc_type = ""
    title = None
    if line:
        doc_type = _VI_TYPES[line.group(1)]
        # The title: the type line and the capitalised lines under it, up to the issuing
        # authority's line or the preamble.
        end = line.end()
        for follow in re.finditer(r"\n([^\n]*)", raw[line.end() : preamble]):
            text = follow.group(1).strip()
            if not text or text != text.upper() or len(text) < 4:
                break
            if _VI_ISSUER_LINE.match(fold(text)) and end > line.end():
                break
            end = line.end() + follow.end()
        title = Field(" ".join(raw[line.start(1) : end].split()), line.start(1), end)
    if not doc_type:
        # A header written on one line ("... Số: 73/2025/NQ-HĐND | ... NGHỊ QUYẾT QUY ĐỊNH ..."): the
        # first type word in capitals after the number.
        after = number.end if number else 0
        for m in re.finditer(r"\b(" + "|".join(sorted(_VI_TYPES, key=len, reverse=True)) + r")\b", folded[after:preamble]):
            if raw[after + m.start() : after + m.end()].isupper():
                doc_type = _VI_TYPES[m.group(1)]
                break
    if not doc_type and number:
        symbol = fold(number.value).rsplit("/", 1)[-1]
        doc_type = _CODES.get(re.split(r"[-\d]", symbol)[0], "")
    return doc_type, title


_EN_KINDS = [
    ("regulation", re.compile(r"\b(proposed rules?|rules and regulations|final rule|code of federal regulations|federal register|cfr)\b")),
    ("guidance", re.compile(r"^\W*guidance\b|\bguidance for industry\b|\bguide\b", re.MULTILINE)),
    ("policy", re.compile(r"^\W*(policy paper)\b", re.MULTILINE)),
    ("report", re.compile(r"^\W*([^\n]{0,40}corporate report|research and analysis|statistics|official statistics|"
                          r"independent report|report)\b"
                          r"|\breport to (?:congress|congressional)|\bmineral commodity summar", re.MULTILINE)),
    ("statement", re.compile(r"^\W*(speech|statement|written statement|oral statement|for immediate release|weekly address)\b", re.MULTILINE)),
    ("strategy", re.compile(r"\A\W*[^\n]{0,80}\bstrategy\b")),
    ("plan", re.compile(r"\A\W*[^\n]{0,80}\b(action plan|plan)\b")),
    ("law", re.compile(r"\A\W*(an act\b|[^\n]{0,60}\bact (?:19|20)\d\d\b)")),
    ("news", re.compile(r"^\W*(press release|news story|news)\b", re.MULTILINE)),
]


# GOV.UK and similar sites print the document's format on its first line; that label outranks any
# word further down ("guide" in a consultation). Formats outside our types are "other".
_EN_FORMAT_LABELS = [
    ("other", re.compile(r"\A\W*(open consultation|closed consultation|consultation outcome|transparency data|"
                         r"freedom of information release|form)\b")),
    ("notice", re.compile(r"\A\W*[^\n]{0,80}?notice \d{2,}")),  # "Notice 1036", glued to the line before in PDFs
]


# Without a format label (excerpts, pages cut from the middle), the text says what it is by how it
# speaks: a dated byline is a story; "for the purposes of this report" names itself; a series
# name in a page footer ("Mineral Commodity Summaries") is a report; a text that talks to its
# reader ("you", "your") is guidance.
_EN_BYLINE = re.compile(r"\A(?:[^\n]*\n){0,3}[^\n]*\b(?:19|20)\d\d\b[^\n]{0,30}\bby [a-z]+ [a-z]+")
_EN_SELF_REFERENCE = re.compile(r"\b(?:this|the present) (report|guidance|notice|regulation|policy|strategy|plan|statement)\b")
_EN_SERIES = re.compile(r"\bmineral commodity summar|\breport to (?:congress|congressional)|\bstatistical (?:bulletin|release)\b")
_EN_READER = re.compile(r"\b(?:you|your|you're|yourself)\b")


def _english_type(folded: str) -> str:
    opening = folded[:1500]
    for kind, pattern in [*_EN_FORMAT_LABELS, *_EN_KINDS]:
        if pattern.search(opening):
            return kind
    if _EN_BYLINE.search(opening):
        return "news"
    named = Counter(_EN_SELF_REFERENCE.findall(folded))
    if named:
        return named.most_common(1)[0][0]
    if _EN_SERIES.search(folded):
        return "report"
    words = max(1, len(opening.split()))
    if len(re.findall(r"\b\d[\d.,]*\b", opening)) > 0.4 * words:
        return "report"  # mostly figures: a statistical table
    if len(_EN_READER.findall(folded)) > 0.02 * max(1, len(folded.split())):
        return "guidance"
    return "news"


def _structure(raw: str, folded: str, annexes: list[int]) -> list[Part]:
    """The document's parts; none runs on into an annex (an article's numbering restarts there)."""
    starts: list[tuple[int, int, str, str, str]] = []  # (start, depth, kind, label, title)
    for kind, depth, pattern in _STRUCTURE:
        for m in pattern.finditer(folded):
            words = raw[m.start(1) : m.end(1)].split()
            label = f"{_LABELS[kind]} {words[-1]}" if kind in _LABELS else " ".join(words)
            starts.append((m.start(), depth, kind, label, raw[m.start(2) : m.end(2)].strip()[:120]))
    has_articles = any(kind in ("dieu", "article") for _, _, kind, _, _ in starts)
    # Numbered lines: khoản and điểm inside articles; sections I. / 1. / a) where there are none.
    for pattern, depth, name in ((_ROMAN_SECTION, 3, "I"), (_NUMBERED, 4, "1"), (_LETTERED, 5, "a")):
        if has_articles and pattern is _ROMAN_SECTION:
            continue
        for m in pattern.finditer(folded):
            number = raw[m.start(1) : m.end(1)]
            if has_articles:
                label = f"Khoản {number}" if pattern is _NUMBERED else f"Điểm {number}"
                kind = "khoan" if pattern is _NUMBERED else "diem"
            else:
                label, kind = (f"{number}." if name != "a" else f"{number})"), "section"
            starts.append((m.start(), depth, kind, label, raw[m.start(2) : m.end(2)].strip()[:120]))
    starts.sort()
    parts: list[Part] = []
    for i, (start, depth, kind, label, title) in enumerate(starts):
        # A part ends where the next part of the same or a higher level starts.
        end = next((s for s, d, *_ in starts[i + 1 :] if d <= depth), len(raw))
        end = min(end, next((a for a in annexes if a > start), end))
        if kind in ("khoan", "diem") and not any(p.kind in ("dieu", "article") and p.start < start < p.end for p in parts):
            continue  # a numbered line outside any article (preamble, annex lists) is not a khoản
        parts.append(Part(kind, label, title, start, end, depth))
    return parts


def _outline(raw: str, parts: list[Part]) -> list[tuple[tuple[int, ...], str, int]]:
    """The numbered headings of a document ('1.', '1.4.'), whose numbers nest, and where an outline
    stops (number ()): at a chapter, an article, an annex. Inside an article a numbered line is a
    khoản, its own content; a short one ('6. Tiến độ thực hiện:') still heads what follows."""
    articles = [(p.start, p.end) for p in parts if p.kind in ("dieu", "article")]
    found: list[tuple[tuple[int, ...], str, int]] = [((), "", p.start) for p in parts if p.kind not in ("khoan", "diem", "section")]
    found += [((), "", m.start()) for m in _ANNEX_LINE.finditer(raw)]
    for m in _OUTLINE_LINE.finditer(raw):
        title = m.group(2).strip()
        if any(a <= m.start() < b for a, b in articles) and len(title.split()) > 12:
            title = ""  # a khoản that is its own content: it heads nothing, but ends the one before
        found.append((tuple(int(n) for n in m.group(1).strip(".").split(".")), title[:OUTLINE_TITLE_CHARS], m.start()))
    return sorted(found, key=lambda line: line[2])


def _outline_at(outline: list[tuple[tuple[int, ...], str, int]], offset: int) -> list[str]:
    """The titles of the outline headings above a passage starting at `offset`, outermost first: the
    last numbered line before it (unless the passage starts with its own) and the lines its number
    descends from ('1.' above '1.4.': the '1.' before its '1.1.', not a list item '1.' in between)."""
    last = bisect_right(outline, offset, key=lambda line: line[2]) - 1
    first = last  # where its run starts: after the last reset (a chapter, an article, an annex)
    while first >= 0 and outline[first][0]:
        first -= 1
    first += 1
    if last < first:
        return []
    number = outline[last][0]
    chain = [outline[last]] if outline[last][2] < offset else []
    end = last
    for depth in range(len(number) - 1, 0, -1):
        first_child = next((i for i in range(end, first - 1, -1) if outline[i][0] == number[:depth] + (1,)), end)
        parent = next((i for i in range(first_child, first - 1, -1) if outline[i][0] == number[:depth]), None)
        if parent is not None:
            chain.insert(0, outline[parent])
            end = parent
    return [f"{'.'.join(map(str, n))}. {title}" for n, title, _ in chain if title]


def _signature(raw: str, folded: str, body_end: int) -> tuple[Field | None, Field | None, Field | None]:
    """(authority, position, signer) from the signature block: 'KT. CHỦ TỊCH / PHÓ CHỦ TỊCH /
    Nguyễn Văn A', looked for after the last article (or anywhere when there are none)."""
    for m in _POSITION.finditer(folded, body_end):
        if not _mostly_upper(raw[m.start() : m.end()]):
            continue
        # The last position in a run of capitals is the signer's; the name follows it.
        run_end = m.end()
        while (nxt := _POSITION.match(folded, _skip_space(folded, run_end))) and _mostly_upper(raw[nxt.start() : nxt.end()]):
            run_end = nxt.end()
        name = _signer_name(raw, folded, run_end)
        if not name:
            continue
        run_start = m.start()
        authority_match = None
        for a in _AUTHORITY.finditer(folded, max(body_end, run_start - 80), run_start + 1):
            authority_match = a
        position_match = m
        for p in _POSITION.finditer(folded, m.start(), run_end):
            position_match = p
        authority = None
        if authority_match is not None:
            start, end = authority_match.start(), position_match.start()
            authority = Field(" ".join(raw[start:end].split()), start, end)
        position = Field(" ".join(raw[position_match.start() : position_match.end()].split()), position_match.start(), position_match.end())
        return authority, position, name
    return None, None, None


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _signer_name(raw: str, folded: str, at: int) -> Field | None:
    """The first run of capitalised words within a few lines that starts with a family name."""
    for m in _NAME_RUN.finditer(raw, at, min(len(raw), at + 250)):
        words = m.group(0).split()
        if fold(words[0]) in _SURNAMES and all(len(w) > 1 or w.isupper() for w in words):
            return Field(" ".join(words), m.start(), m.end())
    return None


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n|":
        at += 1
    return at


def _effective(raw: str, folded: str, issued: Field | None) -> Field | None:
    for m in _EFFECTIVE.finditer(folded):
        if m.group(1):
            when = m.group(1)
            if when in ("ky", "ban hanh"):
                return Field("on signing", m.start(), m.end())
            if when == "thong qua":
                return Field(issued.value if issued else "on adoption", m.start(), m.end())
            dates = _dates(folded[m.start(1) - 5 : m.end(1)]) if "/" in when else _dates("ngay " + when)
            if dates:
                return Field(dates[0].value, m.start(), m.end())
        elif m.group(2):
            iso = _iso(m.group(3), str(MONTHS.index(m.group(2)) + 1), m.group(4))
            if iso:
                return Field(iso, m.start(), m.end())
    return None


def _relations(raw: str, folded: str, own: Field | None) -> list[tuple[str, Field]]:
    strongest: dict[str, tuple[int, str, Field]] = {}
    strength = {name: rank for rank, (name, _) in enumerate(_RELATION_VERBS)}
    strength["mentions"] = len(_RELATION_VERBS)
    for m in DOC_NUMBER.finditer(raw):
        number = m.group(0)
        if own and fold(number) == fold(own.value):
            continue
        if not re.search(r"[-/](?:[A-ZĐ]{2,}|[A-Z][a-z]+[A-Z])", number):
            continue  # '20/4/2020' is a date, not a document number
        line_start = folded.rfind("\n", 0, m.start()) + 1
        context = folded[max(line_start, m.start() - 200) : m.start()]
        relation = next((name for name, verb in _RELATION_VERBS if verb.search(context)), "mentions")
        key = fold(number)
        # One relation per document, the strongest said of it (replaces > repeals > amends > ... > mentions).
        if key not in strongest or strength[relation] < strongest[key][0]:
            strongest[key] = (strength[relation], relation, Field(number, m.start(), m.end()))
    return [(relation, f) for _, relation, f in sorted(strongest.values(), key=lambda item: item[2].start)]


def read_anatomy(text: str) -> Anatomy:
    folded = _folded(text)
    preamble_match = PREAMBLE.search(folded, 0, HEAD_CHARS)
    preamble = preamble_match.start() if preamble_match else min(len(text), 800)
    number = _doc_number(text, folded)
    doc_type, title = _type_and_title(text, folded, preamble, number)
    vietnamese = doc_type != "" or "cong hoa xa hoi chu nghia" in folded[:HEAD_CHARS]
    if not doc_type:
        english = _EN_NUMBER.search(folded, 0, 300)
        doc_type = english.group(1) if english else _english_type(folded)
    issued = _issue_date(folded, preamble) if vietnamese else (_published(folded) or _opening_date(folded))
    issuer = None
    im = _VI_ISSUER_LINE.search(folded, 0, preamble) if vietnamese else None
    em = None if im else (_EN_ISSUER.search(text[:HEAD_CHARS]) or _FROM_LINE.search(text))
    if im or em:
        start, end = (im.start(1), im.end(1)) if im else (em.start(1), em.end(1))  # type: ignore[union-attr]
        value = " ".join(text[start:end].split())
        issuer = Field(value if not value.isupper() else _title_case(value), start, end)
    annexes = _annexes(text)
    parts = _structure(text, folded, [a.start for a in annexes])
    articles = [p for p in parts if p.kind in ("dieu", "article")]
    body_end = articles[-1].start if articles else preamble
    recipients = None
    noi_nhan = re.search(r"\bnoi nhan\s*:", folded[body_end:])
    if noi_nhan:
        start = body_end + noi_nhan.start()
        recipients = Field(text[start : start + 600].split("\n\n")[0], start, start + 600)
    authority, position, signer = _signature(text, folded, body_end)
    if signer is None and not vietnamese:
        en = _EN_SIGNER.search(text)
        if en:
            signer = Field(en.group(1), en.start(1), en.end(1))
            position = Field(" ".join(en.group(2).split()), en.start(2), en.end(2))
    special = {}
    for part in articles:
        heading = fold(part.title)
        for role, pattern in _SPECIAL.items():
            if role not in special and pattern.search(heading):
                special[role] = part
    return Anatomy(
        doc_number=number, doc_type=doc_type or "news", issued=issued, issuer=issuer, title=title,
        effective=_effective(text, folded, issued), signer=signer, position=position, authority=authority,
        recipients=recipients, parts=parts, relations=_relations(text, folded, number), special=special,
        outline=_outline(text, parts), annexes=annexes,
    )


def _annexes(raw: str) -> list[Field]:
    """Where each annex starts, with its heading: 'PHỤ LỤC' (or 'PHỤ LỤC I') and the title line under
    it, 'QUY ĐỊNH MỨC TỶ LỆ PHẦN TRĂM (%) ... ĐỐI VỚI ĐẤT PHI NÔNG NGHIỆP ...'."""
    found = []
    for m in _ANNEX_LINE.finditer(raw):
        lines = raw[m.start() :].split("\n", 2)
        heading, end = lines[0], m.start() + len(lines[0])
        if len(heading.split()) <= 4 and len(lines) > 1:
            heading, end = f"{heading} {lines[1]}", end + 1 + len(lines[1])
        found.append(Field(" ".join(heading.split())[:OUTLINE_TITLE_CHARS].rstrip(), m.start(), end))
    return found


def _published(folded: str) -> Field | None:
    """A labelled publication date: 'Published: 28 May 2010', '(Rev. December 2010)'."""
    m = re.search(r"\b(?:published|first published|release date|date of issue|issued)\s*(?:on)?\s*:?\s*", folded)
    if m:
        dates = _dates(folded[m.end() : m.end() + 40])
        if dates and dates[0].start == 0:
            d = dates[0]
            return Field(d.value, m.end() + d.start, m.end() + d.end)
    rev = re.search(r"\(rev\. (" + "|".join(MONTHS) + r") (\d{4})\)", folded[:HEAD_CHARS])
    if rev:
        return Field(f"{rev.group(2)}-{MONTHS.index(rev.group(1)) + 1:02d}", rev.start(), rev.end())
    # A series' running footer: "Mineral Commodity Summaries, January 2011".
    series = re.search(r"(?:" + _EN_SERIES.pattern + r")[^\n,]{0,20}, (" + "|".join(MONTHS) + r") (\d{4})\b", folded)
    if series:
        return Field(f"{series.group(2)}-{MONTHS.index(series.group(1)) + 1:02d}", series.start(1), series.end())
    return None


_WEEKDAY_DATE = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (?=(?:" + "|".join(MONTHS) + r") \d)")


def _opening_date(folded: str) -> Field | None:
    """The first date near the top: a dateline ('April 11, 2015'), the page's masthead, or an
    issue's dated masthead further down ('Proposed Rules ... Thursday, August 6, 2020')."""
    dates = _dates(folded[:400])
    if dates:
        return dates[0]
    masthead = _WEEKDAY_DATE.search(folded[:HEAD_CHARS])
    if masthead:
        dated = _dates(folded[masthead.end() : masthead.end() + 30])
        if dated and dated[0].start == 0:
            return Field(dated[0].value, masthead.end(), masthead.end() + dated[0].end)
    return None


def _title_case(value: str) -> str:
    return " ".join(w.capitalize() for w in value.lower().split())
