"""The offline answerer: quote the retrieved sentences that best answer the question, or refuse.

Each sentence of the retrieved passages is scored by the share of the question's terms (weighted
by IDF, the words that name its own document discounted) it contains; where the passages are in
another language than the question, by meaning too (qa/answer/meaning.py). The best score is the
evidence. The refusal model (qa/answer/refusal.py) reads it with other signals and decides whether
to answer; without a model, a calibrated threshold on the evidence alone decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from qa.answer.base import AnswerRequest, Draft
from qa.answer.citations import cite, inline_quote
from qa.answer.meaning import MAX_SENTENCES, SentenceMeaning
from qa.answer.refusal import RefusalModel
from qa.glossary import matches
from qa.index.lexical import LexicalIndex
from qa.question import FREQUENCY_HEADING, FREQUENCY_VALUE, PROVINCE_NAMES, Question, asks_yes_or_no, siblings_named
from qa.results import Retrieved, refusal_for
from qa.text import (
    DOC_NUMBER,
    MONTH,
    Span,
    contains_phrase,
    doc_number_key,
    fold,
    language_of,
    names_columns,
    sentence_spans,
    terms,
)
from qa.types import Chunk

BACKEND = "extractive"


@dataclass(frozen=True)
class Candidate:
    chunk: Chunk
    start: int
    end: int
    terms: frozenset[str]
    score: float  # with the weights of its own document (within_document_weights)
    rank: int
    # With the question's plain weights: comparable across documents.
    plain: float = 0.0
    # What the sentence's kind leaves of its score (a title line, a heading, no value of the kind asked for).
    factor: float = 1.0
    # A table row's header row, which names what its cells are and in what unit.
    heading: str = ""
    # What its kind alone leaves (factor without the checks that read the question's words).
    kind_factor: float = 1.0


# A span of a chunk: (chunk, start, end) in document offsets.
Piece = tuple[Chunk, int, int]
# A quoted piece and the score it is cited with.
Quoted = tuple[Chunk, int, int, float]

# 'may' is a month only beside a number ('May 2014', '12 May'): elsewhere it is the verb.
_MONTH_WORD = MONTH.replace("|may|", "|") + r"|\bmay(?=\s\d)|(?<=\d\s)may"
# A PDF's line may break between a month and its day ('not later than January\n31, 2011'); a
# blank line or a list item does not ('in March\n2. Each employer ...').
_LINE_BREAK = r"[ \t]*\n?[ \t]*"
_DAY = re.compile(rf"\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\bngay{_LINE_BREAK}\d|\b(?:{_MONTH_WORD})\.?{_LINE_BREAK}\d{{1,2}}\b(?!\.\s)|"
                  rf"\b\d{{1,2}}{_LINE_BREAK}(?:{_MONTH_WORD})\b")
_DATE = re.compile(rf"{_DAY.pattern}|\b(?:19|20)\d\d\b|\b(?:{_MONTH_WORD})\b")
_DIGIT = re.compile(r"\d")
# A body that acts, as documents capitalise it: 'Bộ Công an', 'Cục Đăng kiểm Việt Nam', 'Skills
# Funding Agency', 'From: Home Office'. Read unfolded: folded, 'bo', 'ban' and 'vu' are everywhere.
_ORGANISATION = re.compile(
    r"\b(?:Bộ|Sở|Cục|Tổng cục|Vụ|Ủy ban|Uỷ ban|UBND|HĐND|Hội đồng|Chính phủ|Quốc hội|Agency|Office|Department|"
    r"Ministry|Treasury|Committee|Council|Commission|Service|Authority|Administration|Archives|Bureau|Board|Survey)\b|\bFrom:"
)
# A person's name: two or more capitalised words in a row, read unfolded ('Mai Lương Khôi', 'Joe
# Biden'), or a title before one ('Vice President', 'Bộ trưởng').
_TITLE = re.compile(r"(?:President|Secretary|Minister|Chairman|Chair|Director|Commissioner|Chủ tịch|Bộ trưởng|Thứ trưởng|Giám đốc|Trưởng)")
_PERSON = re.compile(
    r"\b[A-ZĐ][a-zà-ỹđ]+(?:\s+[A-ZĐ][a-zà-ỹđ]+){1,3}\b|\b(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z]|\b" + _TITLE.pattern + r"\b"
)
# Family names as written (not folded: 'Trương' is a name, 'Trường' a school), and unmarked.
_VIETNAMESE_SURNAMES = frozenset(
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý mai lương trịnh đinh lâm tô hà cao đào đoàn "
    "vương trương lưu thái tạ châu quách tống kiều thạch lại la mạc khúc giang tăng văn đàm lục hứa chu nông lò "
    "nguyen tran le pham hoang huynh vu vo dang bui do ho ngo duong ly luong trinh dinh lam to ha dao doan vuong truong "
    "luu thai ta chau quach tong kieu thach lai mac khuc tang van dam luc hua nong lo".split()
)
_COURTESY = re.compile(r"^(?:Ông|Bà|Đồng chí|Anh|Chị)\s+")
def _vietnamese_name(found: str) -> bool:
    """Whether capitalised words in a Vietnamese sentence are a person's name: after 'Ông', 'Bà' or
    'Đồng chí', a family name first ('Trần Thị Lan'), and no province ('Hà Nội'); or a title."""
    words = _COURTESY.sub("", found).split()
    if not words:
        return False
    if _TITLE.fullmatch(found):
        return True
    return words[0].lower() in _VIETNAMESE_SURNAMES and fold(" ".join(words)) not in PROVINCE_NAMES


_NOT_IN_NAMES = frozenset("for the of and in on to with from at by a an".split())
# Where a number is only part of a reference or a date: 'Số: 145/QĐ-UBND', 'ngày 12 tháng 01 năm 2026'.
_NOT_A_QUANTITY = re.compile(
    DOC_NUMBER.pattern + r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bngay\s+\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?|\b(?:nam\s+)?(?:19|20)\d\d\b|"
    r"\b(?:dieu|khoan|diem|chuong|(?<!danh )muc|article|section|part|chapter)\s+\d+\b|\b" + MONTH + r"\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+" + MONTH + r"\b"
)


# Items listed inline after a colon: 'trong các lĩnh vực: Công chứng, Luật sư, Đấu giá tài sản'.
_INLINE_LIST = re.compile(r":\s*[^,:;]{2,60}(?:,\s*[^,:;]{2,60}){2,}")


def _lists_what_is_asked(text: str, question: Question) -> bool:
    """Whether the text lists items inline, none of which the question names: asked 'những lĩnh
    vực nào', it answers; asked for the tasks 'trong lĩnh vực công chứng', it only names the field."""
    found = _INLINE_LIST.search(text)
    if found is None:
        return False
    asked = set(question.terms)
    items = [frozenset(terms(item)) for item in found.group(0).lstrip(": ").split(",")]
    return not any(item and item <= asked for item in items)


_TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\s*(?:am|pm)?\b")
# What a sentence names with numbers (an AD, a docket, a model: 'AD 2018–23–51', '737–8'). Not a
# number before capitals: '11 NHS trusts' and '13 TTHC' count things.
_NUMBERED_NAME = re.compile(r"\b\d+(?:[-–]\d+){2,}\b|\b[A-Z]{2,}[-–]\d{4}[-–]\d+\b|\b\d{3}[-–]\d{1,2}\b")
# In a question, a number before capitals names a model too ('737 MAX'): it names something, as a
# document number does, and is not a number the answer must repeat.
_REFERENCE = re.compile(_NUMBERED_NAME.pattern + r"|\b\d+ [A-Z]{2,}\b")


def holds_wanted_value(question: Question, text: str, heading: str = "", across: bool = False) -> bool:
    """Whether text holds the kind of value the question asks for (True when it asks for none).
    A number inside a document's reference, a date or an article's label is not a quantity, and a
    year inside a document's reference is not a date. `across`: the text is in the other language,
    where the unit the question names ('bao nhiêu con vật') is written in other words."""
    if question.parts:
        # 'dài bao nhiêu km và có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng?': a value either ask wants.
        return any(holds_wanted_value(part, text, heading, across) for part in question.parts)
    kind = question.answer_type
    if kind is None:
        return True
    # A list item's label ('2. Trường hợp ...', '1.4. Thời hạn ...') numbers the item, not a quantity.
    text = _LEADING_LABEL.sub("", text, count=1)
    if kind == "organisation":
        return _ORGANISATION.search(text) is not None
    if kind == "person":
        # A name the question does not already hold: in 'Who will chair the new Quang Ngai
        # province?', 'Quang Ngai' is what is asked about, not who.
        # Nor a title-case heading: 'For Immediate Release' holds a word no name does.
        # A Vietnamese name opens with a family name: 'Phó Giám đốc' and 'Sở Nội vụ' are capitalised too.
        asked = frozenset(question.terms)
        vietnamese = language_of(text) == "vi"
        return any(not frozenset(terms(m.group(0))) <= asked and not _NOT_IN_NAMES & set(m.group(0).lower().split())
                   and (not vietnamese or _vietnamese_name(m.group(0))) for m in _PERSON.finditer(text))
    folded = fold(text)
    if question.unit == FREQUENCY_VALUE:
        # 'mỗi 06 tháng một lần', 'annually': how often, with or without a number; not '06 tháng'.
        return across or holds_unit(question, text) or bool(heading and re.search(FREQUENCY_HEADING, fold(heading)))
    if kind == "number":
        # A measure (days, money, a share) is named in either language ('ngày|days', 'đồng|dollars'), so
        # it is asked of a passage in the other language too; a counted noun is not (no unit_heading).
        if question.unit_heading is not None and not holds_unit(question, text) and not (
            heading and re.search(question.unit_heading, fold(heading))
        ):
            return False  # 'bao nhiêu ngày' needs days, in the sentence or its table's header ('(tỷ đồng)')
        # A number the question already holds ('hệ số lương bậc 1') is what it asks about, not the answer;
        # nor is a reference ('AD 2018–23–51', 'Model 737–8') or a time of day ('12:15pm') a quantity.
        own = {n.lstrip("0") for n in _NUMBER.findall(_NOT_A_QUANTITY.sub(" ", question.folded))}
        quantities = _NOT_A_QUANTITY.sub(" ", _TIME_OF_DAY.sub(" ", fold(_NUMBERED_NAME.sub(" ", text))))
        return any(n.lstrip("0") not in own for n in _NUMBER.findall(quantities)) or (
            (question.unit is None or across) and _SPELLED_NUMBER.search(folded) is not None and _SPELLED_NUMBER.search(question.folded) is None)
    return (_DAY if question.wants_day else _DATE).search(DOC_NUMBER.sub(" ", folded)) is not None


# A date's parts are not a duration: 'ngày 31 tháng 12 năm 2021' holds no '31 days'.
_DATE_EXPRESSION = re.compile(r"\bngay \d{1,2} thang \d{1,2}(?: nam \d{4})?|\bthang \d{1,2} nam \d{4}|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def holds_unit(question: Question, text: str) -> bool:
    """Whether text holds a quantity in the unit the question names (True when it names none):
    '04 ngày làm việc' for 'bao lâu', '10.000.000 đồng' for 'lệ phí'."""
    if question.unit is None:
        return True
    folded = _SPELLED_OUT.sub(r"\1", _DATE_EXPRESSION.sub(" ", fold(text)))
    return re.search(question.unit, folded) is not None


# A number spelled out after its digits, as Vietnamese legal text writes it: '05 (năm) ngày' is '05 ngày'.
_SPELLED_OUT = re.compile(r"(\d)\s*\([^()\d]{1,60}\)")


_LEADING_LABEL = re.compile(r"^\W{0,3}(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[IVX]{1,4}\.)\s+")


# A sentence that defines a term: the term, then a dash, a colon, 'means', 'is', 'là'.
_DEFINES = re.compile(r"^\W{0,3}(.{2,80}?)(?:\s*[—–]\s*|\s+-\s+|:\s|\s+(?:means|refers to|is defined as|is|are|là|được hiểu là)\s)")


def defines(question_terms: dict[str, float], text: str) -> bool:
    """Whether text opens by defining one of the question's words."""
    found = _DEFINES.match(text)
    return found is not None and bool(set(terms(found.group(1))) & question_terms.keys())


# A limit on a count, folded: 'dưới 150 (một trăm năm mươi) con', 'từ 5% trở lên', 'more than five pets'.
_THRESHOLD = re.compile(
    r"\b(?:duoi|tren|tu|khong qua|toi da|toi thieu|it nhat|vuot qua|(?:lon|nho|cao|thap) hon|at least|more than|less than|"
    r"fewer than|greater than|higher than|lower than|above|below|up to|over|under|no more than|exceeding|maximum of|minimum of)\s+"
    r"(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s*\([^)]{0,60}\))?\s*(%|[a-z]+)"
)
THRESHOLD_BONUS = 0.2
# A procedure's own line for how long it takes, under its label (folded): '1.4. Thời hạn giải
# quyết:', 'Thời gian giải quyết', 'Processing time:'.
_PROCESSING_TIME = re.compile(r"^\W*(?:[\d.]+\s*)?(?:thoi han|thoi gian) (?:giai quyet|thuc hien|xu ly)\b|^\W*(?:processing time|time limit)\b")
_DURATION_UNIT = re.compile(r"ngay|days")
PROCESSING_TIME_BONUS = 0.3


# A labelled line of a Vietnamese form or procedure ('1.8. Phí, lệ phí: Không', 'Thời hạn giải
# quyết: 05 ngày'): its label names the field its value fills.
_FIELD_LINE = re.compile(r"^\W{0,3}(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?([^\W\d][^:|\n]{1,60}?):\s*\S")
FIELD_LABEL_WORDS = 8
FIELD_NAMED_BONUS = 0.2
LEANING_ASK_WEIGHT = 2.0
# Who wrote a page or a post, and the line that says so.
_ASKS_AUTHOR = re.compile(r"\bwho (?:wrote|authored|posted|penned|is the author)\b|\bauthor of\b|\bai viet\b|\btac gia\b")
BYLINE_BONUS = 0.3
_BYLINE = re.compile(
    r"(?:^|\n)\s*(?:By|Posted by|Written by|Author:|Tác giả:?)\s+[A-ZĐ][\wÀ-ỹ]+(?:\s+[A-ZĐ][\wÀ-ỹ.]+){1,3}"
    r"|\b(?:AM|PM|ET|EST|EDT|GMT|UTC)\s+by\s+[A-ZĐ][\wÀ-ỹ]+(?:\s+[A-ZĐ][\wÀ-ỹ.]+){1,3}")
_FIELD_FILLER = frozenset({"tthc", "thu", "tuc", "hanh", "chinh"})


def names_asked_field(question: Question, text: str) -> bool:
    """Whether the line is a labelled field whose label the ask names word for word: the field
    asked about ('có mất phí, lệ phí không?' is answered by 'Phí, lệ phí: Không')."""
    match = _FIELD_LINE.match(text)
    if match is None or len(words := match.group(1).split()) > FIELD_LABEL_WORDS:
        return False
    if fold(match.group(1)) == match.group(1).lower() or any(w[0].isupper() for w in words[1:]):
        # Not a title ('Special measures: 1 year on', 'Weekly Address: ...') or a name ('Giám đốc
        # các Sở: Xây dựng, ...'): the fields of Vietnamese forms and procedures.
        return False
    label = _term_set(match.group(1)) - _FIELD_FILLER
    return len(label) >= 2 and label <= frozenset(question.content_terms)


def sets_threshold(text: str, units: tuple[str, ...]) -> bool:
    """Whether the text sets a limit on one of the counts the story tells ('dưới 150 con' for '180 con heo')."""
    return any(m.group(1) in units for m in _THRESHOLD.finditer(fold(text)))


def question_weights(question: Question, idf: Callable[[str], float]) -> dict[str, float]:
    """IDF weights of the question's terms, without its question words, the focus word doubled."""
    weights = {t: idf(t) for t in question.content_terms}
    for t in question.focus & weights.keys():
        weights[t] *= 2
    for t in set(question.leaning_terms) & weights.keys():
        weights[t] *= LEANING_ASK_WEIGHT  # 'When does the consultation close?': its own words, over the story's
    for t in question.context_terms:
        weights.setdefault(t, 0.5 * idf(t))
    return weights


def crossed_weights(question: Question, idf: Callable[[str], float]) -> dict[str, float]:
    """The question's weights as a passage in the other language can hold them: its words' glossary
    translations (question.translated_terms), and what reads the same in both languages (numbers,
    document numbers, the Latin names a Vietnamese question writes, Vietnamese place names). Empty
    without a translation."""
    if not question.translated_terms:
        return {}
    neutral = {t for t in question.content_terms if any(ch.isdigit() for ch in t)} | set(question.bridge_terms)
    # A Vietnamese place an English question names reads the same once folded ('Moc Chau ward' is
    # the row 'Phường Mộc Châu').
    neutral |= {t for place in (*question.place_names, *question.provinces) for t in terms(place)}
    weights = {t: idf(t) for t in (*question.translated_terms, *sorted(neutral))}
    return {t: w for t, w in weights.items() if w > 0}


# What Vietnamese writers abbreviate, folded: a question about 'HĐND TPHCM' names the issuer its
# document writes out ('Hội đồng nhân dân Thành phố Hồ Chí Minh').
_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tphcm": "thanh pho ho chi minh", "hcm": "ho chi minh",
    "tp": "thanh pho", "qh": "quoc hoi", "bnv": "bo noi vu", "btc": "bo tai chinh", "btp": "bo tu phap",
    "bxd": "bo xay dung", "byt": "bo y te", "bnnmt": "bo nong nghiep va moi truong", "ctubnd": "chu tich uy ban nhan dan",
}


def abbreviations_of(text: str) -> frozenset[str]:
    """The abbreviations whose words the text writes out in full ('Thành phố Hồ Chí Minh' gives
    'tphcm', 'hcm' and 'tp')."""
    return frozenset(short for short, full in _ABBREVIATIONS.items() if contains_phrase(text, full))


def identifying_terms(chunk: Chunk) -> frozenset[str]:
    """The words that name a chunk's document: its title, number and issuer, and the abbreviations
    of what they write out ('tphcm' for 'Thành phố Hồ Chí Minh')."""
    return naming_terms(f"{chunk.title} {chunk.doc_number} {chunk.issuer}")


@lru_cache(maxsize=1024)
def naming_terms(naming: str) -> frozenset[str]:
    return _term_set(naming) | frozenset(terms(" ".join(sorted(abbreviations_of(naming)))))


@lru_cache(maxsize=1024)
def _term_set(text: str) -> frozenset[str]:
    """terms() as a set, for the short texts every candidate of a chunk reads again (a document's
    naming, a table's header row, the headings above a chunk)."""
    return frozenset(terms(text))


def within_document_weights(question: Question, question_terms: dict[str, float], chunk: Chunk) -> dict[str, float]:
    """Question weights for choosing a sentence inside one document. The words that name the
    document ('Theo Quyết định 605/QĐ-UBND ... Sở Xây dựng tỉnh Bắc Ninh, ...') found the document;
    inside it they point at its title line, not at the answer, so they count a fifth. The number of
    another document the question asks about ('when was Resolution 06-NQ/TU issued', asked of a
    conclusion that cites it) keeps its full weight."""
    own_number = fold(chunk.doc_number)
    kept = question.focus.union(*(terms(n) for n in question.doc_numbers if n != own_number))
    discounted = identifying_terms(chunk) - kept
    return {t: w * (0.2 if t in discounted else 1.0) for t, w in question_terms.items()}


def _coverage(question_terms: dict[str, float], unit_terms: frozenset[str]) -> float:
    total = sum(question_terms.values()) or 1.0
    return sum(w for t, w in question_terms.items() if t in unit_terms) / total


def _candidates(
    question: Question, question_terms: dict[str, float], retrieved: list[Retrieved], lexical: LexicalIndex,
    crossed: dict[str, float] | None = None,
) -> list[Candidate]:
    """Score every sentence of the retrieved chunks. `crossed`: the question's crossed_weights, for
    passages in the other language (worked out here when not given).

    A sentence's score mixes its own coverage of the question's terms with that of its neighbours
    (a date line under a heading that names the document answers 'when was it issued'), plus a
    bonus when it holds the kind of value the question asks for.
    """
    focus = question.focus & question_terms.keys()
    asks_author = _ASKS_AUTHOR.search(question.folded) is not None
    asks_signer = _ASKS_SIGNER.search(question.folded) is not None
    # Asked for a total, and no record by its number ('Dự án thành phần 1'): a table's total row answers.
    asks_total = _ASKS_TOTAL.search(question.folded) is not None and not _RECORD_NUMBER.search(
        _NOT_A_QUANTITY.sub(" ", question.folded))
    # The places and bodies the question names, and the provinces its story names ('... COA ở
    # Nghệ An. Nộp đủ hồ sơ thì bao lâu có kết quả?'): a document that never names them is about
    # somewhere else.
    names = (*question.name_pairs, *(pair for province in question.provinces
                                     if (pair := frozenset(terms(province))) and pair not in question.name_pairs))
    if crossed is None:
        crossed = crossed_weights(question, lexical.idf)
    about: dict[str, bool] = {}
    # The documents the question names by their own number: a user who names one asks about it.
    named = lexical.named_by(question.doc_numbers, question.short_citations)
    cited = [frozenset(terms(n)) for n in question.doc_numbers]
    elsewhere: dict[str, bool] = {}
    written: dict[str, list[frozenset[str]]] = {}
    weights_in: dict[tuple[str, bool], dict[str, float]] = {}
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    read: dict[str, tuple[list[Span], list[str], list[frozenset[str]]]] = {}
    for hit in retrieved:
        chunk = hit.chunk
        if chunk.chunk_id in read:
            continue
        spans = sentence_spans(chunk.text, offset=chunk.start)
        texts = [chunk.slice(sp.start, sp.end) for sp in spans]
        read[chunk.chunk_id] = (spans, texts, [frozenset(terms(t)) for t in texts])
    for rank, hit in enumerate(retrieved):
        chunk = hit.chunk
        across = bool(crossed) and lexical.language(chunk) != question.language
        base = crossed if across else question_terms
        if (chunk.doc_id, across) not in weights_in:
            weights_in[(chunk.doc_id, across)] = within_document_weights(question, base, chunk)
        if chunk.doc_id not in about:
            # The question's names (its places and bodies) this document writes somewhere.
            written[chunk.doc_id] = [pair for pair in names if lexical.document_mentions(chunk.doc_id, pair)]
            about[chunk.doc_id] = not names or bool(written[chunk.doc_id])
            # Another document than the one named, which does not even cite its number.
            elsewhere[chunk.doc_id] = bool(named) and chunk.doc_id not in named and not any(
                lexical.document_mentions(chunk.doc_id, number) for number in cited)
        weights = weights_in[(chunk.doc_id, across)]
        identifying = identifying_terms(chunk)
        places = _asked_places(question, chunk)
        own_number = doc_number_key(chunk.doc_number)
        # Names in the question other than the document's own (its province, its issuer), that the
        # document writes somewhere: one it never writes is already counted against it (about).
        entities = [pair for pair in written[chunk.doc_id] if not pair <= identifying]
        spans, texts, unit_terms = read[chunk.chunk_id]
        closing = _closing_block(chunk)
        # The headings the chunk sits under ('1. Tên thủ tục: Đăng ký ...' above '1.4. Thời hạn
        # giải quyết: 02 ngày'): what each of its sentences is about, read like a neighbour.
        above = _term_set(chunk.context) if chunk.context else frozenset()
        for i, span in enumerate(spans):
            key = (chunk.doc_id, span.start, span.end)
            if key in seen:
                continue
            seen.add(key)
            own_terms, window = unit_terms[i], unit_terms[i].union(*unit_terms[max(0, i - 1) : i + 2], above)
            heading = ""
            if " | " in texts[i]:
                own_terms = _row_terms(texts[i], own_terms)
                # A table row means what its header row says its cells are, and the line above
                # the table says what the table is about.
                first = i
                while first > 0 and " | " in texts[first - 1]:
                    first -= 1
                header, heading = unit_terms[first], texts[first] if first < i else ""
                if first == 0 and chunk.table_header:  # the table began before this chunk
                    header, heading = _term_set(chunk.table_header), chunk.table_header
                own_terms = own_terms | header
                # Not the rows beside it: they are other records ('karaoke' two rows down does not
                # make this row about karaoke).
                window = own_terms | above | (unit_terms[first - 1] if first > 0 else frozenset())
            elif (run := _key_value_run_start(texts, i)) is not None:
                # A PDF's table read as lines ('Biweekly 80.80' under 'Payroll Period Add Additional'
                # and 'Amount to Add to Nonresident Alien Employee's Wages ...'): a row is what the
                # lines over its run say.
                # The run's first row may carry the unit for all ('Weekly $ 40.40', then 'Monthly 175.00').
                heading = " ".join(texts[max(0, run - KEY_VALUE_CAPTION_LINES) : run + 1])
                own_terms = own_terms | _term_set(heading)
                window = own_terms | above
            factor = 0.25 if elsewhere[chunk.doc_id] else 1.0
            # What the sentence's words leave of its score (apart from its kind): words only match
            # within one language, so a sentence in the other one is not judged by them.
            worded = 1.0
            if focus and not focus & unit_terms[i]:
                worded *= 0.75  # the sentence does not mention what is asked about
            wanted = holds_wanted_value(question, texts[i], heading, across)
            # 'Who wrote it?': the post's byline ('... at 6:08 PM ET by Kori Schulman'), under its title.
            byline = asks_author and _BYLINE.search(texts[i]) is not None
            if len(unit_terms[i]) >= 3 and not byline and len(unit_terms[i] & identifying) >= 0.6 * len(unit_terms[i]) and not (
                question.answer_type in ("date", "number") and wanted
            ) and not (question.wants_list and _lists_what_is_asked(texts[i], question)):
                # The title again (a header, an annex heading): it names the document, not the answer;
                # unless, asked for a list, it lists ('... trong các lĩnh vực: Công chứng, Luật sư, ...').
                factor *= 0.5
            if not about[chunk.doc_id]:
                worded *= 0.5  # from a document that never names the place or body the question is about
            if len(texts[i].split()) <= 6 and not _DIGIT.search(texts[i]) and not _LIST_ITEM.match(texts[i]) and not (
                question.answer_type in ("organisation", "person") and wanted
            ) and not (question.wants_list and introduces_list(texts, i)):
                # A heading names a topic; it rarely answers a question about it (a list item can,
                # a short line naming who: 'From: Skills Funding Agency', and one that opens the list
                # asked for: 'This regime involves:').
                factor *= 0.5
            bonus = 0.02 / (rank + 1)  # a small prior for better-ranked chunks breaks ties between equal sentences
            if question.story_units and sets_threshold(texts[i], question.story_units):
                bonus += THRESHOLD_BONUS  # 'dưới 150 con' for a story of '180 con heo': the condition to check
            if wanted and question.unit and _DURATION_UNIT.search(question.unit) and _PROCESSING_TIME.match(fold(texts[i])):
                # 'bao lâu thì được giải quyết' of a procedure: its 'Thời hạn giải quyết: 10 ngày
                # làm việc', not the days one of its steps takes ('Bước 3: Trong thời hạn 07 ngày').
                bonus += PROCESSING_TIME_BONUS
            if byline:
                bonus += BYLINE_BONUS
            if names_asked_field(question, texts[i]):
                bonus += FIELD_NAMED_BONUS  # '1.8. Phí, lệ phí: Không' for 'có mất phí, lệ phí không?'
            if question.wants_definition and defines(question_terms, texts[i]):
                bonus += 0.2  # 'work-study—money you earn ...': what the question asks, said outright
            if question.wants_list and introduces_list(texts, i):
                bonus += 0.2  # asked for a list: a sentence that introduces one (its items come with it)
            elif question.wants_list and (_LIST_ITEM.match(texts[i]) or _ORDINAL_ITEM.match(fold(texts[i]))):
                bonus += 0.1  # or an item (its siblings come with it, but it may be another list's)
            if _NATIONAL_MOTTO.search(texts[i]) or (own_number and own_number in _numbers_in(texts[i])) or (
                    question.answer_type != "date" and _PLACE_AND_DATE.match(texts[i])):
                # The header of a Vietnamese administrative document (issuer, motto, number, place,
                # date), or a line naming the document's own number ('Số: 255/2025/QH15 | Hà Nội,
                # ngày ...', 'Kèm theo Nghị quyết số ...'): they say which document, not what it says.
                factor *= 0.5
            if heading == "" and " | " in texts[i] and not (i == 0 and chunk.table_header) and names_columns(texts[i]) and (
                    i + 1 < len(texts) and " | " in texts[i + 1]):
                factor *= 0.5  # a table's header row names its columns; the values are in the rows under it
            if closing[0] <= span.start < closing[1] and not asks_signer:
                # 'Nơi nhận: - Như Điều 4; - Bộ Tư pháp; ...' and the signature under it: who receives
                # and who signs the document, not what it says.
                factor *= 0.5
            if _PREAMBLE_LINE.match(texts[i]) and not _ASKS_FOR_BASIS.search(question.folded):
                factor *= 0.5  # 'Căn cứ Luật ...': the laws it rests on, not what it says
            if _ATTACHMENT.search(texts[i]) and not _ASKS_ABOUT_FILES.search(question.folded):
                factor *= 0.5  # a download's title and size ('Special measures: 1 year on PDF, 573KB, 55 pages')
            # A table row is read with its header and the caption above ('Table 2: ... the Clery Act').
            if entities and not byline and not any(pair <= (window if heading else unit_terms[i]) for pair in entities):
                worded *= 0.6  # the question names a place or body inside the document ('Phường Tô Hiệu'); this sentence does not
            if heading and question.years and (year := _row_year(texts[i])) and year not in question.years:
                factor *= 0.5  # a table by year: the row of another year than the one asked about
            if heading and wanted and _names_the_row(texts[i], weights, own_number) and (
                    not places or any(contains_phrase(texts[i], place) for place in places)):
                # 'Texas', 'Xã Vân Hồ': the question names this record of the table; less so a label
                # with words of its own ('Thủ tục cấp giấy phép điều chỉnh ...' for 'thủ tục cấp giấy phép').
                bonus += ROW_NAMED_BONUS * _label_share(texts[i], weights, lexical.idf)
            elif heading and wanted and asks_total and _TOTAL_ROW.match(
                    next((cell.strip() for cell in texts[i].split("|") if cell.strip()), "")):
                bonus += TOTAL_ROW_BONUS  # 'the total investment' of a table of component projects: its 'Tổng cộng' row
            if question.answer_type is not None:
                # A sentence without a date cannot say when; without a number, how many; without
                # a body, which agency.
                if wanted:
                    bonus += 0.1 + (0.05 if question.unit and holds_unit(question, texts[i]) else 0.0)
                    if question.unit and not across and not holds_unit(question, f"{texts[i]} {heading}"):
                        factor *= 0.8  # a number, but not in the unit asked for ('24 July' for 'how many pages')
                else:
                    factor *= 0.75 if question.answer_type in ("organisation", "person") else 0.5
            if across:
                worded = 1.0  # the question's words were translated: who is named, and how, is not comparable
            own, plain = (
                (0.75 * _coverage(w, own_terms) + 0.25 * _coverage(w, window)) * factor * worded + bonus for w in (weights, base)
            )
            out.append(Candidate(chunk, span.start, span.end, unit_terms[i], own, rank, plain, factor * worded, heading, factor))
    return out


# A row label's exception ('Các phường (trừ trường hợp ... đất thuộc khu công nghiệp ...)'): what
# it names is what the row is not.
_EXCEPTION = re.compile(r"\((?:trừ|ngoại trừ|không bao gồm|except|excluding|other than)\b[^()]*(?:\([^()]*\)[^()]*)*\)", re.IGNORECASE)


def _row_terms(row: str, terms_of_row: frozenset[str]) -> frozenset[str]:
    """A row's words without the cells that cite another document by its number ('Thông tư số
    110/2025/TT-BTC ... phí thẩm định cấp giấy phép kinh doanh karaoke, vũ trường'): such a cell
    names the law the record rests on, and its title's words are not the record's (the dance hall's
    row is not about karaoke). Nor the words of what its label excepts (_EXCEPTION)."""
    cells = row.split(" | ")
    read = [_EXCEPTION.sub(" ", cell) for cell in cells if not DOC_NUMBER.search(cell)]
    return terms_of_row if read == cells else _term_set(" ".join(read))


# A line of a table a PDF gives as plain lines: a short label, then one amount ('Weekly $ 40.40',
# 'Daily or Miscellaneous 8.10').
_KEY_VALUE_LINE = re.compile(r"^\s*[A-Za-zÀ-ỹ][\w ()'’,-]{0,40}?\s+[$£€]?\s?\d[\d.,]*\s*%?\s*$")
KEY_VALUE_RUN = 3
KEY_VALUE_CAPTION_LINES = 3


def _key_value_run_start(texts: list[str], i: int) -> int | None:
    """Where the run of label-and-amount lines holding line i starts, when it is KEY_VALUE_RUN
    lines long at least; None otherwise."""
    if not _KEY_VALUE_LINE.match(texts[i]):
        return None
    first = i
    while first > 0 and _KEY_VALUE_LINE.match(texts[first - 1]):
        first -= 1
    last = i
    while last + 1 < len(texts) and _KEY_VALUE_LINE.match(texts[last + 1]):
        last += 1
    return first if last - first + 1 >= KEY_VALUE_RUN else None


def _numbers_in(text: str) -> set[str]:
    """The document numbers a text cites, folded: '11/QĐ-UBND' is not '1/QĐ-UBND'."""
    return {doc_number_key(m.group(0)) for m in DOC_NUMBER.finditer(text)}


def within_best_document(
    question: Question, retrieved: list[Retrieved], lexical: LexicalIndex, crossed: dict[str, float] | None = None,
) -> list[Retrieved]:
    """More of the best retrieved document, searched by the question's words alone: the right
    document is first for 9 questions in 10, but its answering passage often is not in the top five
    (a long decision's article, a table's row). Adds its best chunk by those words (the words that
    name the document left out) and each chunk holding a name the question asks about ('xã Vân
    Hồ', 'Texas') that no retrieved chunk of it holds. Found chunks carry no ranks. `crossed`: the
    question's crossed_weights (worked out here when not given)."""
    if not retrieved:
        return []
    # The best document that names the places asked about ('xã Mường La, tỉnh Sơn La'): not Lâm
    # Đồng's table of the same rates, ranked first by the words they share.
    top = next((r.chunk.doc_id for r in retrieved if all(lexical.document_mentions(r.chunk.doc_id, place) for place in question.places)),
               retrieved[0].chunk.doc_id)
    seen = {r.chunk.chunk_id for r in retrieved}
    found: list[Retrieved] = []

    def add(hits: list[tuple[Chunk, float]], most: int) -> None:
        for chunk, _ in hits:
            if most and chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                found.append(Retrieved(chunk, 0.0, None, None, None))
                most -= 1

    naming = identifying_terms(retrieved[0].chunk)
    own = list(question.content_terms)
    top_chunk = next(r.chunk for r in retrieved if r.chunk.doc_id == top)
    if question.translated_terms and lexical.language(top_chunk) != question.language:
        # A document in the other language is searched by the question's words as it writes them:
        # their glossary translation, and the names and numbers both languages share.
        own = list(crossed if crossed is not None else crossed_weights(question, lexical.idf))
    words = [t for t in own if t not in naming] or own
    add(lexical.search_document(words, top, 6), 1)
    # And by its words weighed by how rare they are in this document: the words common in it
    # ('FAA', '737', 'airplanes' in an airworthiness directive) pick any of its chunks.
    add(lexical.search_within(words, top, 6), 1)
    if question.unit is not None and question.unit_heading is None and not any(
            r.chunk.doc_id == top and holds_unit(question, r.chunk.text) for r in retrieved):
        # And, asked to count things ('bãi bỏ bao nhiêu thủ tục'), the best chunk that counts them ('2.
        # Bãi bỏ 13 thủ tục hành chính cấp tỉnh ...' in an article far from the tables). Not for a
        # measure (money, days, a share): near-misses hold one too, and were answered from it.
        add([(c, score) for c, score in lexical.search_document(words, top, 20) if holds_unit(question, c.text)], 1)
    if question.story_units and question.context_terms:
        # And by the story's words, when it counts something: who the document covers ('chăn nuôi
        # heo có tổng đàn dưới 150 con') is the condition a story of '180 con heo' is checked against.
        add(lexical.search_document([t for t in question.context_terms if t not in naming], top, 6), 1)
    term_sets: dict[str, frozenset[str]] = {}

    def terms_of(chunk: Chunk) -> frozenset[str]:
        if chunk.chunk_id not in term_sets:
            term_sets[chunk.chunk_id] = frozenset(terms(chunk.text))
        return term_sets[chunk.chunk_id]

    def holds(chunk: Chunk, name: frozenset[str] | str) -> bool:
        """Whether the chunk holds a name's terms, or a place's whole name (a phrase)."""
        return contains_phrase(chunk.text, name) if isinstance(name, str) else name <= terms_of(chunk)

    def read_holding(name: frozenset[str] | str) -> None:
        """Two chunks of the document holding the name, unless a retrieved one already does."""
        if any(holds(r.chunk, name) for r in retrieved if r.chunk.doc_id == top):
            return
        words = terms(name) if isinstance(name, str) else sorted(name)
        add([(c, score) for c, score in lexical.search_document([*words, *question.content_terms], top, 50) if holds(c, name)], 2)

    names = [*question.name_pairs, *(frozenset(terms(word)) for word in question.name_words)]
    for name in dict.fromkeys(n for n in names if n):
        if lexical.document_mentions(top, name):
            read_holding(name)
    # A place by its whole name: 'Mường La' is a different commune from 'Mường Chiên', though 'la'
    # ('là') is no search term.
    for place in _asked_places(question, retrieved[0].chunk):
        read_holding(place)
    # And the asked member of a group ('bác sĩ'), whose row a sibling's ('điều dưỡng') may outrank.
    # A retrieved chunk that merely mentions it ('Các bác sĩ đang ...') is no reason not to look.
    # (Not a province: the places asked about are read above, and a merger story names several.)
    for _, member in sorted(pair for pair in question.siblings if pair[0] != "province"):
        add([(c, score) for c, score in lexical.search_document([*terms(member), *question.content_terms], top, 50)
             if contains_phrase(c.text, member)], 2)
    return found


def _asked_places(question: Question, chunk: Chunk) -> list[str]:
    """The places the question names other than the document's own ('xã Mường La' in a question
    about a resolution of Sơn La province)."""
    naming = identifying_terms(chunk)
    return [place for place in question.place_names if not frozenset(terms(place)) <= naming]


def unknown_names(question: Question, lexical: LexicalIndex, hidden: frozenset[str] = frozenset()) -> list[str]:
    """Proper names and document numbers in the question that no chunk the asker may see mentions:
    'Hanoi' in a Khanh Hoa corpus, or 'Chỉ thị 05/CT-UBND' when no document holds that number. A
    word only another user's unshared upload holds is unknown too, or the refusal would tell."""
    # A number is known as written or as a document's own number is ('1/2026/TT-BNV' is '01/2026/TT-BNV').
    unknown = [number for number in sorted(question.doc_numbers) if not lexical.known_outside(number, hidden)
               and not any(d not in hidden and lexical.holds_document(d) for d in lexical.numbered(number))]
    # A capitalised word of the glossary is vocabulary, known when its translation is ('the Law on
    # Anti-Corruption' asked of a Vietnamese law that says 'phòng, chống tham nhũng').
    translated = {word for words, found in matches(question.text, question.language)
                  if all(lexical.known_outside(t, hidden) for t in found) for word in words}
    for word in question.name_words:
        found = terms(word)
        if found and not any(lexical.known_outside(t, hidden) or t in translated for t in found):
            unknown.append(word)
    return unknown


def _refusal(question: Question, evidence: float, confidence: float | None = None, signals: dict[str, float] | None = None) -> Draft:
    return Draft(refusal_for(question.language), True, [], evidence, BACKEND, confidence=confidence, signals=signals or {})


_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_A_YEAR = re.compile(r"(?:19|20)\d\d")
# An English count written out: 'more than five pets', 'two years of community college'.
_SPELLED_NUMBER = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|thousands?|"
    r"millions?|billions?|dozens?)\b"
)
UNKNOWN_NAMES_REFUSE = 0.35
# Below this evidence no model is asked (measured on dev and the samples: lower floors refuse no
# more unanswerable questions, higher ones refuse right answers the model keeps).
EVIDENCE_FLOOR_WITH_MODEL = 0.2


def refusal_signals(
    question: Question, best: Candidate, candidates: list[Candidate], retrieved: list[Retrieved], weights: dict[str, float],
    across: bool = False, lexical: LexicalIndex | None = None,
) -> dict[str, float]:
    """What the refusal model reads about the best passage (qa/answer/refusal.py). With `lexical`,
    a table row's document is read for the names and numbers the row itself never repeats."""
    hit = next((r for r in retrieved if r.chunk.chunk_id == best.chunk.chunk_id), None)
    rank = best.rank
    if hit is not None and hit.dense_rank is None and hit.lexical_rank is None:
        # A chunk found inside a retrieved document (within_best_document): how well
        # retrieval did is how well it found that document.
        rank, hit = next(((i, r) for i, r in enumerate(retrieved) if r.chunk.doc_id == best.chunk.doc_id), (rank, hit))
    runner_up = next((c.score for c in candidates if c.chunk.chunk_id != best.chunk.chunk_id), 0.0)
    # The words that name the passage's document ('Theo Nghị quyết 607/NQ-HĐND của HĐND tỉnh Sơn
    # La') found the document; a row deep inside it never repeats them, and is not less of an answer.
    weights = within_document_weights(question, weights, best.chunk)
    naming = identifying_terms(best.chunk)
    # The chunk as BM25 reads it: under its headings and its table's header ('Texas | 146,982' is
    # under 'NICS Firearm Checks: November 2015' and 'State / Territory | ... | Totals').
    chunk_terms = frozenset(terms(best.chunk.searched_text))
    cited = (*question.doc_numbers, *question.short_citations)
    # Nor a year that dates the named document ('the 2015 weekly address'): Question.years holds the asked ones.
    asked_numbers = [n for n in _NUMBER.findall(_REFERENCE.sub(" ", question.ask)) if not any(n in d for d in cited)
                     and not (_A_YEAR.fullmatch(n) and n not in question.years)]
    folded_chunk = fold(best.chunk.searched_text)
    top = max(weights.values(), default=1.0) or 1.0
    # The rarest asked-for word the best passage's chunk never uses: 'budget' in 'the budget of Trang E'.
    missing_rare = max((w for t, w in weights.items() if t not in chunk_terms), default=0.0) / top
    rarest = sorted(weights, key=lambda t: -weights[t])[:3]
    named = [pair for pair in question.name_pairs if not pair <= naming]
    row = " | " in best.chunk.slice(best.start, best.end)

    def in_document(words: Iterable[str]) -> bool:
        # A table row never repeats its document's name or its table's year: 'USGS Mineral
        # Commodity Summaries 2011' said elsewhere in the document is not missing from 'China | 700,000'.
        return row and lexical is not None and lexical.document_mentions(best.chunk.doc_id, words)
    return {
        # Of the question's three rarest words, the share the best sentence itself holds.
        "rare_in_sentence": sum(t in best.terms for t in rarest) / max(1, len(rarest)),
        "missing_rare": missing_rare,
        "chunk_coverage": _coverage(weights, chunk_terms),
        "same_document": float(len(retrieved) > 1 and retrieved[0].chunk.doc_id == retrieved[1].chunk.doc_id),
        "evidence": best.score,
        "margin": best.score - runner_up,
        "agree": float(hit is not None and hit.dense_rank is not None and hit.lexical_rank is not None),
        "dense_similarity": float(hit.dense_similarity or 0.0) if hit else 0.0,
        "lexical_top": float(hit is not None and hit.lexical_rank is not None and hit.lexical_rank < 3),
        "rank": float(rank),
        "missing_numbers": sum(n not in folded_chunk and not in_document(terms(n)) for n in asked_numbers) / max(1, len(asked_numbers)),
        "missing_names": sum(not pair <= chunk_terms and not in_document(pair) for pair in named) / max(1, len(named)),
        "story": float(bool(question.story)),
        "vietnamese": float(question.language == "vi"),
        "wanted_value": float(holds_wanted_value(question, best.chunk.slice(best.start, best.end), best.heading, across)),
        "unit_found": float(holds_unit(question, best.chunk.slice(best.start, best.end))),
    }


# How close to the sibling's score a passage naming what was asked must come to replace it.
SIBLING_REPLACEMENT = 0.3


def _siblings_of(candidate: Candidate) -> frozenset[tuple[str, str]]:
    text = candidate.chunk.slice(candidate.start, candidate.end)
    if " | " in text and not text.lstrip().startswith("|"):
        # A row's second line ('2.002826.H21 | 03 ngày làm việc') is read with the line that opens
        # the row ('| 3 | Gia hạn Giấy phép ...'): that line says which procedure it is.
        opening = candidate.chunk.slice(candidate.chunk.start, candidate.start).rstrip("\n").rpartition("\n")[2]
        if opening.lstrip().startswith("|"):
            text = f"{opening} {text}"
    return siblings_named(text)


def substituted_groups(question: Question, candidate: Candidate) -> frozenset[str]:
    """The groups of which the passage names another member than the question does, and not the
    asked one: 'health worker' for the salary of 'bác sĩ' asked about 'dược sĩ'. Not a year its
    table's header names ('State | 2010 | 2011' over a row of both)."""
    if not question.siblings:
        return frozenset()
    named = _siblings_of(candidate)
    asked_years = [year for group, year in question.siblings if group == "year"]
    hit = {group for group, _ in named} & {group for group, _ in question.siblings}
    answered = {group for group, member in named if (group, member) in question.siblings}
    if "year" in hit and any(contains_phrase(candidate.heading, year) for year in asked_years):
        answered.add("year")
    return frozenset(hit - answered)


def names_what_was_asked(question: Question, candidate: Candidate, groups: frozenset[str], alone: bool = True) -> bool:
    """Whether the passage names the asked member of each of these groups; `alone`: and no other
    member of them ('- 08 ngày ... cấp lại Giấy phép ... đã được cấp Giấy' names two actions)."""
    named = _siblings_of(candidate)
    return all(any(pair in named for pair in question.siblings if pair[0] == group) for group in groups) and (
        not alone or all(pair in question.siblings for pair in named if pair[0] in groups))


# How far after a passage naming what was asked its value may follow (a row's next line).
VALUE_FOLLOWS_WITHIN = 300


def _passage_naming_what_was_asked(
    question: Question, candidates: list[Candidate], groups: frozenset[str], floor: float,
) -> Candidate | None:
    """The best passage scoring at least `floor` that names what was asked (of `groups`) and holds
    the value asked for. A row's opening line names it ('| 1 | Cấp giấy phép ...') and its next line
    holds the value ('05 ngày làm việc | ...'): that line scores lower, and answers for it when it
    names no sibling. Else the best one naming it."""
    def holds_value(candidate: Candidate) -> bool:
        return holds_wanted_value(question, candidate.chunk.slice(candidate.start, candidate.end), candidate.heading)

    naming = [c for c in candidates if c.score >= floor and names_what_was_asked(question, c, groups)]
    # Else a passage naming it beside others ('Hỗ trợ cho bác sĩ, dược sĩ: ...').
    # (Not for a year: 'In 2011, the rate is 1.45%, unchanged from 2010' gives 2011's rate.)
    if "year" not in groups:
        naming = naming or [c for c in candidates if c.score >= floor and names_what_was_asked(question, c, groups, alone=False)]
    for candidate in naming:
        if holds_value(candidate):
            return candidate
        following = sorted((c for c in candidates if c.chunk.chunk_id == candidate.chunk.chunk_id
                            and candidate.start < c.start <= candidate.end + VALUE_FOLLOWS_WITHIN), key=lambda c: c.start)
        value = next((c for c in following if holds_value(c) and not substituted_groups(question, c) & groups), None)
        if value is not None:
            return value
    return next(iter(naming), None)


def about_what_was_asked(question: Question, chunk: Chunk, lexical: LexicalIndex, reader: DocumentReader | None) -> bool:
    """Whether the answering passage's document names the places, months and years the ask names.
    'mức hỗ trợ ... ở thành phố Hà Nội' answered from a Ho Chi Minh City resolution, 'in December
    2015' from November's table, 'campus murders in 2008' from an excerpt that never says 2008: the
    document is about another place or time. Places and months only within one language ('Hanoi'
    and 'December' are 'Hà Nội' and 'tháng 12' in Vietnamese); a year reads the same in both."""
    if any(not lexical.document_mentions(chunk.doc_id, terms(year)) for year in question.years):
        return False
    if lexical.language(chunk) != question.language:
        return True
    if any(not lexical.document_mentions(chunk.doc_id, period) for period in question.periods):
        return False
    if not all(lexical.document_mentions(chunk.doc_id, place) for place in question.places):
        return False  # a word of the place is nowhere in the document (from the index, no text read)
    if reader is None or not question.place_names:
        return True
    text = reader.document_text(chunk.doc_id)
    return all(contains_phrase(text, name) for name in question.place_names)


def by_meaning(
    question: Question, candidates: list[Candidate], meaning: SentenceMeaning, language: Callable[[Chunk], str]
) -> tuple[list[Candidate], float]:
    """When the best passages are in another language than the question, shared words cannot
    choose the sentence: add how close each sentence of those passages is in meaning (0 to 0.5,
    relative to the others). Returns the candidates, re-sorted, and the best raw similarity.
    `language`: each chunk's language (LexicalIndex.language, worked out at ingest)."""
    if not candidates:
        return candidates, 0.0

    def other_language(c: Candidate) -> bool:
        return language(c.chunk) != question.language

    top = min(c.rank for c in candidates)
    if not other_language(next(c for c in candidates if c.rank == top)):
        if question.language != "vi" or not other_language(candidates[0]):
            return candidates, 0.0
        # Retrieval ranked Vietnamese passages first, but the best sentence is English (found by
        # the glossary's words): read its passages for meaning. Not the other way: an English
        # question's best Vietnamese sentence may be a scan's garbled text, close to anything.
        top = candidates[0].rank
    # Not the header's lines ('QUYẾT ĐỊNH', 'Số: 325/QĐ-UBND | Huế, ...'): the embedder finds short
    # lines that name the document close to any question that names it.
    pool = sorted((c for c in candidates if c.rank <= top + 5 and other_language(c) and c.kind_factor > 0.5
                   and len(c.chunk.slice(c.start, c.end).split()) >= 4), key=lambda c: (c.rank, c.start))[:MAX_SENTENCES]
    if not pool:
        return candidates, 0.0
    similarity = meaning.similarities(question, [c.chunk.slice(c.start, c.end) for c in pool], identifying_terms(pool[0].chunk))
    high = float(similarity.max())
    # The closest sentence gains most, the others less the farther they fall behind it: e5's
    # similarities are compressed, 0.05 apart is far (and a lone sentence still gains).
    lift = {id(c): 0.5 * c.kind_factor * max(0.0, 1.0 - (high - float(s)) / MEANING_SPREAD)
            for c, s in zip(pool, similarity, strict=True)}
    lifted = [replace(c, score=c.score + lift.get(id(c), 0.0), plain=c.plain + lift.get(id(c), 0.0)) for c in candidates]
    lifted.sort(key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.start))
    return lifted, high


def answer_extractively(
    question: Question, retrieved: list[Retrieved], lexical: LexicalIndex, threshold: float, max_quotes: int,
    model: RefusalModel | None = None, meaning: SentenceMeaning | None = None,
    reader: DocumentReader | None = None, hidden: frozenset[str] = frozenset(),
) -> Draft:
    """Refuse below `threshold`, when the best passage lacks the kind of value asked for, or when
    the fitted refusal model's confidence is under its cut. `hidden`: documents the asker may not see."""
    if not question.asks_about_something:
        return _refusal(question, 0.0, 0.0 if model else None)
    question_terms = question_weights(question, lexical.idf)
    unknown = unknown_names(question, lexical, hidden)
    unknown_share = _coverage(question_terms, frozenset(t for name in unknown for t in terms(name)))
    if set(unknown) & question.doc_numbers or unknown_share >= UNKNOWN_NAMES_REFUSE:
        # A document number no document holds, or a question mostly about a name the documents
        # never use ('the population of Hanoi'). A name on the side ('the Defra consultation',
        # an agency's acronym the page spells out) only lowers the confidence.
        return _refusal(question, 0.0, 0.0 if model else None)
    crossed = crossed_weights(question, lexical.idf)
    retrieved = retrieved + within_best_document(question, retrieved, lexical, crossed)
    candidates = _candidates(question, question_terms, retrieved, lexical, crossed)
    candidates.sort(key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.start))
    if not candidates:
        return _refusal(question, 0.0, 0.0 if model else None)
    closest = 0.0
    if meaning is not None:
        candidates, closest = by_meaning(question, candidates, meaning, lexical.language)
    # The best sentence of a document about what was asked: a question 'in 2025' is not answered
    # from the 2018 law that a 2025 amendment changes, nor 'xã Mường La' from Lâm Đồng's table.
    about: dict[str, bool] = {}

    def is_about(candidate: Candidate) -> bool:
        doc = candidate.chunk.doc_id
        if doc not in about:
            about[doc] = about_what_was_asked(question, candidate.chunk, lexical, reader)
        return about[doc]

    best = next((c for c in candidates if is_about(c)), candidates[0])
    if substituted := substituted_groups(question, best):
        # 'dược sĩ' asked, the 'bác sĩ' row found: the row for what was asked, if a passage names
        # it, else no answer; the sibling's figure would be a wrong one said with confidence.
        named = _passage_naming_what_was_asked(question, [c for c in candidates if is_about(c)], substituted,
                                               SIBLING_REPLACEMENT * best.score)
        if named is None:
            return _refusal(question, best.score, 0.0 if model else None)
        best = named
    if best is not candidates[0]:
        candidates.remove(best)
        candidates.insert(0, best)
    evidence = best.score
    across = bool(crossed) and lexical.language(best.chunk) != question.language
    signals = refusal_signals(question, best, candidates, retrieved, crossed if across else question_terms, across, lexical)
    signals["unknown_names"] = unknown_share
    signals["meaning"] = closest
    confidence = model.confidence(signals) if model else None
    if model is not None:
        # The model reads the evidence with everything else; the threshold only keeps a floor.
        threshold = min(threshold, EVIDENCE_FLOOR_WITH_MODEL)
    if not about[best.chunk.doc_id]:  # no candidate's document is about it: the best one's is not either
        return _refusal(question, evidence, 0.0 if model else None, signals)
    if evidence < threshold or (threshold > 0 and not signals["wanted_value"]):
        # Below the evidence bar, or asked for a number or a date the best passage does not hold.
        return _refusal(question, evidence, confidence, signals)
    # A table row the question names by its very name ('Texas', 'Kentucky'), holding the kind of
    # value asked, answers it: the refusal model, reading a row's few words, refused such rows
    # ('Kentucky | 264,140 | ...' under 'State / Territory | Permit | ...') at 0.36 to 0.46.
    named_row = bool(best.heading) and bool(signals["wanted_value"]) and _row_named_by_name(best.chunk.slice(best.start, best.end), question)
    if model is not None and confidence is not None and confidence < (ROW_NAMED_FLOOR if named_row else model.cut):
        return _refusal(question, evidence, confidence, signals)

    chosen = [best]
    covered = set(best.terms)
    for cand in candidates[1:]:
        if len(chosen) >= max_quotes:
            break
        adds_terms = any(t in cand.terms and t not in covered for t in question_terms)
        same_document = cand.chunk.doc_id == best.chunk.doc_id
        close = cand.score >= 0.6 * evidence if same_document else cand.plain >= 0.85 * best.plain
        if close and adds_terms:
            chosen.append(cand)
            covered |= cand.terms
    # The lead is what answers: the best sentence as a whole unit (a row under its header, a list
    # with its items) and the answer to each other ask; then the other sentences that add to it.
    unit, more = complete_unit(best, question.wants_list, reader, question)
    lead = _whole_sentences([(chunk, start, end, best.score) for chunk, start, end in unit], reader)
    in_unit = len(lead)
    lead += _whole_sentences(_other_asks(question, crossed if across else question_terms, retrieved, lexical, evidence, lead, across),
                             reader, after=lead)
    extras = [(c.chunk, c.start, c.end, c.score) for c in chosen[1:] if not any(
        c.chunk.doc_id == chunk.doc_id and c.start < e and s < c.end for chunk, s, e, _ in lead)]
    spans = lead + _whole_sentences(extras, reader, after=lead)
    citations = [cite(n, chunk, start, end, score) for n, (chunk, start, end, score) in enumerate(spans, start=1)]
    quoted = [f"{inline_quote(c.quote)} [{c.n}]" for c in citations]
    if more:
        quoted[in_unit - 1] += f" (và {more} mục khác)" if question.language == "vi" else f" (and {more} more)"
    lead_text = " ".join(quoted[: len(lead)])
    row_at = unit.index((best.chunk, best.start, best.end)) if (best.chunk, best.start, best.end) in unit else 0
    if best.heading and row_at >= 1 and (cell := read_cell(question, question_terms, unit[row_at - 1], unit[row_at])):
        # The cell asked for, named by its column, before the header and row it is read from.
        lead_text = (f"{cell} [{spans.index((*unit[row_at - 1], best.score)) + 1}, "
                     f"{spans.index((*unit[row_at], best.score)) + 1}]. {lead_text}")
    if (number := another_documents_number(question, best.chunk)) is not None:
        # Asked about one document, answered from another ('Nghị quyết 02/2022 còn hiệu lực không?'
        # from the resolution that repeals it): say which one the quote is from.
        lead_text = (f"Theo văn bản {number}: " if question.language == "vi" else f"From {number}: ") + lead_text
    text = " ".join([lead_text, *quoted[len(lead):]])
    passages = tuple({chunk.chunk_id: chunk for chunk, *_ in spans}.values())
    return Draft(text, False, citations, evidence, BACKEND, confidence=confidence, signals=signals, passages=passages,
                 lead=lead_text)


def _whole_sentences(spans: list[Quoted], reader: DocumentReader | None, after: list[Quoted] | None = None) -> list[Quoted]:
    """The spans with the rest of each sentence or table row a chunk's end cuts, quoted on from the
    next chunk; without a span another one (earlier, or in `after`) already holds."""
    pieces = [piece for span in spans for piece in (span, *((*rest, span[3]) for rest in _rest_of_sentence(*span[:3], reader)))]
    kept: list[Quoted] = []
    for span in pieces:
        if not any(span[0].doc_id == other[0].doc_id and other[1] <= span[1] and span[2] <= other[2] for other in (*(after or ()), *kept)):
            kept.append(span)
    return kept


def another_documents_number(question: Question, chunk: Chunk) -> str | None:
    """The answering chunk's document number when the question names documents by number and this
    is none of them."""
    if not question.doc_numbers or not chunk.doc_number:
        return None
    if doc_number_key(chunk.doc_number) in {doc_number_key(n) for n in question.doc_numbers}:
        return None
    return chunk.doc_number


def _other_asks(
    question: Question, question_terms: dict[str, float], retrieved: list[Retrieved], lexical: LexicalIndex, evidence: float,
    quoted: list[Quoted], across: bool = False,
) -> list[Quoted]:
    """For a question that asks two things ('how many km, and how much will it cost?'): the best
    sentence for each ask that the answer does not quote yet, holding the value that ask wants.
    An ask scores on its own words, with the rest of the question's at a quarter. `across`: the
    answer's document is in the other language, so each ask is read by its glossary translation."""
    added: list[Quoted] = []
    document = quoted[0][0].doc_id
    for part in question.parts:
        own = (crossed_weights(part, lexical.idf) if across else {}) or question_weights(part, lexical.idf)
        quotes = [chunk.slice(start, end) for chunk, start, end, _ in [*quoted, *added]]
        said = " ".join(quotes)
        if holds_wanted_value(part, said) and _coverage(own, frozenset(terms(said))) >= 0.8 and (
                part.unit is None or any(holds_unit(part, quote) for quote in quotes)):
            # The answer already says it: '9 industrial clusters ... 362.6 hectares'; not when its
            # quotes hold a number only in another unit ('09 phòng' for 'bao nhiêu đơn vị').
            continue
        weights = {t: 0.25 * w for t, w in question_terms.items()} | own
        # The asks of one question are about one document: the one the answer quotes, read where
        # this ask's own words are (retrieval looked for the whole question).
        held = [r for r in retrieved if r.chunk.doc_id == document]
        ids = {r.chunk.chunk_id for r in held}
        held += [Retrieved(chunk, 0.0, None, None, None) for chunk, _ in lexical.search_document(sorted(own), document, OTHER_ASK_CHUNKS)
                 if chunk.chunk_id not in ids]
        found = [c for c in _candidates(part, weights, held, lexical) if holds_wanted_value(part, c.chunk.slice(c.start, c.end))]
        if not found:
            continue
        top = min(found, key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.start))
        if any(top.chunk.doc_id == chunk.doc_id and top.start < end and start < top.end for chunk, start, end, _ in [*quoted, *added]):
            # The answer quotes this ask's best sentence already ('9.000.000 đồng' for the doctors):
            # the next best one, if it is nearly as good, answers what the ask adds (the nurses' pay).
            rest = [c for c in found if not any(c.chunk.doc_id == chunk.doc_id and c.start < end and start < c.end
                                                 for chunk, start, end, _ in [*quoted, *added])]
            runner_up = min(rest, key=lambda c: (-c.score, c.rank, c.chunk.doc_id, c.start), default=None)
            # What the quotes holding this ask's kind of value say (a quote without one does not answer it).
            said_terms = frozenset(t for quote in quotes if holds_wanted_value(part, quote) for t in terms(quote))
            if runner_up is None or runner_up.score < NEXT_BEST_SHARE * top.score or not any(
                    t in runner_up.terms and t not in said_terms for t in own):
                continue
            top = runner_up
        if top.score < 0.5 * evidence:
            continue
        added.append((top.chunk, top.start, top.end, top.score))
    return added


# Chunks of the answer's document searched by a second ask's own words.
OTHER_ASK_CHUNKS = 3
# How close to an ask's best sentence, quoted already, the next one must come to be quoted for it.
NEXT_BEST_SHARE = 0.9
LIST_CAP = 8
UNMARKED_ITEM_WORDS = 15
class DocumentReader(Protocol):
    """What completing a unit reads around a chunk (ChunkStore is one)."""

    def neighbour(self, chunk: Chunk, step: int) -> Chunk | None: ...  # (chunk, +1) the next one, (chunk, -1) the one before

    def document_text(self, doc_id: str) -> str: ...
# A list item's mark: a dash or bullet (PDFs give bullets from symbol fonts as private-use
# characters or as 'ｴ'), '1.', '1)', 'a)', 'iv.'.
# A list told in sentences: 'First, we are preserving ... Second, ... Finally, ...' (folded).
_ORDINAL_ITEM = re.compile(
    r"^\W{0,3}(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|finally|lastly|"
    r"thu (?:nhat|hai|ba|tu|nam)|cuoi cung)\b"
)
_FIRST_ORDINAL = re.compile(r"^\W{0,3}(?:first(?:ly)?|thu nhat)\b")


def introduces_list(texts: list[str], i: int) -> bool:
    """Whether texts[i] introduces a list: it ends in ':', or the next sentence is its first item
    told in words ('... meets three key goals.' before 'First, we are preserving ...')."""
    return texts[i].rstrip().endswith(":") or (i + 1 < len(texts) and _FIRST_ORDINAL.match(fold(texts[i + 1])) is not None)


# A sentence that says what the items after it are, without a colon: 'Hình thức kiểm tra gồm 02
# (hai) bài kiểm tra trắc nghiệm trên máy tính.' before 'a) Bài kiểm tra thứ nhất ...'.
_ANNOUNCES_ITEMS = re.compile(r"(?<!thu )\bgom\b|\bnhu sau\b|\bsau day\b|\bthe following\b|\bas follows\b")
_LIST_ITEM = re.compile(r"^\s*(?:[-–—•◦▪■●○·∙►➢✓+*ｴ\ue000-\uf8ff]|\d{1,2}[.)]|\(\d{1,2}\)|[a-zđ]\)|[ivx]{1,4}\.)\s")
MEANING_SPREAD = 0.05
# A Vietnamese document's preamble: the laws it rests on and who proposed it.
_PREAMBLE_LINE = re.compile(r"^\W*(?:Căn cứ|Xét đề nghị|Theo đề nghị|Xét Tờ trình)\b", re.IGNORECASE)
_ASKS_FOR_BASIS = re.compile(r"\b(?:can cu|de nghi|to trinh|basis|based on|pursuant|grounds?|proposal|proposed)\b")
# A page's attachment: its format and size, as GOV.UK and many sites list them.
_ATTACHMENT = re.compile(r"\b(?:PDF|HTML|CSV|ODS|ODT|XLSX?|DOCX?|MS Word Document|MS Excel Spreadsheet),\s*[\d.,]+\s*[KMG]B\b", re.IGNORECASE)
_ASKS_ABOUT_FILES = re.compile(r"\b(?:pages?|size|kb|mb|format|pdf|file|download|attachment|trang|tep|dung luong)\b")
_NATIONAL_MOTTO = re.compile(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự do", re.IGNORECASE)
# A Vietnamese document's closing: its recipients ('Nơi nhận:'), then the signature, up to an annex;
# what a question about who signed wants.
_ASKS_SIGNER = re.compile(r"\b(?:ai ky|nguoi ky|ky boi|who signed|signed by|signer|signatory)\b")
_RECIPIENTS = re.compile(r"(?:^|\n)\W*Nơi nhận\s*:")
_ANNEX = re.compile(r"\n\s*(?:PHỤ LỤC|Phụ lục|DANH MỤC|QUY ĐỊNH|QUY CHẾ|HƯỚNG DẪN|KẾ HOẠCH|CHƯƠNG TRÌNH|ĐỀ ÁN|BÁO CÁO|"
                    r"THÔNG BÁO|BIỂU|Biểu|MẪU|Mẫu)\b")


def _closing_block(chunk: Chunk) -> tuple[int, int]:
    """The document offsets of the chunk's closing block (recipients and signature); (0, 0) when none."""
    found = _RECIPIENTS.search(chunk.text)
    if found is None:
        return 0, 0
    annex = _ANNEX.search(chunk.text, found.end())
    return chunk.start + found.start(), chunk.start + (annex.start() if annex else len(chunk.text))


# The header's place and date, on a line of their own: 'Hà Nội, ngày 09 tháng 01 năm 2026'.
_PLACE_AND_DATE = re.compile(r"^[^\W\d][\w .'-]{1,40}, ngày \d{1,2} tháng \d{1,2} năm \d{4}\W*$")
_REFERS_BACK = re.compile(r"^(it|its|they|their|this|these|those|such|he|she|the (?:same|latter|former)|no|ho|day|viec nay|dieu nay)\b")


@dataclass
class _Sentences:
    """A chunk's sentences (and a table's lines), as complete_unit reads around the best one."""

    chunk: Chunk
    spans: list[Span]
    texts: list[str]

    def piece(self, i: int) -> Piece:
        return self.chunk, self.spans[i].start, self.spans[i].end

    def is_item(self, i: int) -> bool:
        return _LIST_ITEM.match(self.texts[i]) is not None or _ORDINAL_ITEM.match(fold(self.texts[i])) is not None


def complete_unit(
    best: Candidate, wants_list: bool = False, reader: DocumentReader | None = None, question: Question | None = None
) -> tuple[list[Piece], int]:
    """What the best sentence needs to be read alone, in reading order with it: (spans, items left out).

    A sentence ending in ':' brings the list it introduces (up to LIST_CAP items), read on into the
    document's next chunk when its own ends first; asked for a list, an item brings the sentence
    that introduces it and its sibling items; a table row brings its table's header row; a
    sentence whose subject is a pronoun brings the one before it; a line of a table read as lines
    brings the lines over its run.
    """
    chunk = best.chunk
    spans = sentence_spans(chunk.text, offset=chunk.start)
    at = next((i for i, sp in enumerate(spans) if sp.start <= best.start < sp.end), None)
    own = (chunk, best.start, best.end)
    if at is None:
        return [own], 0
    sentences = _Sentences(chunk, spans, [chunk.slice(sp.start, sp.end) for sp in spans])
    text = chunk.slice(best.start, best.end)
    listed = _list_unit(sentences, at, best, wants_list, reader)
    if listed is not None:
        return listed
    if " | " in text:
        return _with_row_opening(_table_row_unit(sentences, at, best, reader, question), best, reader), 0
    run = _key_value_run_start(sentences.texts, at)
    if run:  # a table read as lines: the lines over it say what its amounts are
        return [(chunk, spans[max(0, run - KEY_VALUE_CAPTION_LINES)].start, spans[run - 1].end), own], 0
    if at > 0 and _REFERS_BACK.match(fold(text.lstrip())):
        return [sentences.piece(at - 1), own], 0
    return [own], 0


def _list_unit(
    sentences: _Sentences, at: int, best: Candidate, wants_list: bool, reader: DocumentReader | None
) -> tuple[list[Piece], int] | None:
    """The list the sentence introduces, or (asked for a list) the list the sentence is an item of,
    capped at LIST_CAP items, with how many were left out; None when it is neither."""
    texts, piece = sentences.texts, sentences.piece
    own = (sentences.chunk, best.start, best.end)
    if sentences.chunk.slice(best.start, best.end).rstrip().endswith(":"):
        items = _list_after(sentences.chunk, sentences.spans, at, reader)
        return [own, *items[:LIST_CAP]], max(0, len(items) - LIST_CAP)
    if introduces_list(texts, at):  # its items told in sentences: 'First, ...', 'Second, ...'
        last = at + 1
        while last + 1 < len(texts) and _ORDINAL_ITEM.match(fold(texts[last + 1])) and not _FIRST_ORDINAL.match(fold(texts[last + 1])):
            last += 1
        items = [piece(i) for i in range(at + 1, last + 1)]
        return [own, *items[:LIST_CAP]], max(0, len(items) - LIST_CAP)
    if wants_list and sentences.is_item(at):
        first = at
        while first > 0 and sentences.is_item(first - 1):
            first -= 1
        last = at
        while last + 1 < len(texts) and sentences.is_item(last + 1):
            last += 1
        intro = [piece(first - 1)] if first > 0 and (
            introduces_list(texts, first - 1) or _ANNOUNCES_ITEMS.search(fold(texts[first - 1]))) else []
        items = [piece(i) for i in range(first, last + 1)]
        if len(items) > LIST_CAP:  # keep the best item among those shown
            keep = max(0, min(at - first - LIST_CAP // 2, len(items) - LIST_CAP))
            return [*intro, *items[keep : keep + LIST_CAP]], len(items) - LIST_CAP
        return [*intro, *items], 0
    return None


def _table_row_unit(
    sentences: _Sentences, at: int, best: Candidate, reader: DocumentReader | None, question: Question | None
) -> list[Piece]:
    """A table row with what names its cells: its table's header row (or the one column asked
    for), the section rows and numbered heading over it, and the lines a PDF wraps it onto."""
    chunk, texts, piece = sentences.chunk, sentences.texts, sentences.piece
    own = (chunk, best.start, best.end)
    first = at
    while first > 0 and " | " in texts[first - 1]:
        first -= 1
    header: Piece | None
    if first == 0 and chunk.table_header:
        header = _header_before(chunk, reader)  # the table began in an earlier chunk
    elif first < at and _heads_columns(texts[first], [cell.strip(" |") for cell in texts[first].split(" | ")]):
        header = piece(first)
        if first + 1 < at and all(names_columns(texts[k]) for k in (first, first + 1)):
            header = (chunk, sentences.spans[first].start, sentences.spans[first + 1].end)  # column names under group names
    else:
        # The lines over the row are no header: a PDF's rows wrap onto lines ('| 1 | 2.002819 |
        # Cấp, cấp lại ... đạt' / 'yêu cầu xuất khẩu vào Hoa Kỳ (COA) | 04 ngày làm việc'), and
        # the row's own first lines come with it, not the tail of the row before.
        opens = next((k for k in range(at, first - 1, -1) if texts[k].lstrip().startswith("|")), at)
        if opens < at and first < at:
            own_lines = (chunk, sentences.spans[opens].start, best.end)
            rest = _wrapped_row(texts, opens, at, question)
            header = _header_before(chunk, reader) if chunk.table_header else None
            lead = [*_table_sections(chunk, sentences.spans[opens].start, reader), *([header] if header else [])]
            return [*sorted(lead, key=lambda span: span[1]), own_lines, *(piece(i) for i in rest)]
        header = _header_before(chunk, reader) if chunk.table_header else None
    rest = _wrapped_row(texts, at, at, question)
    if header is None:
        return [*_table_sections(chunk, best.start, reader), own, *(piece(i) for i in rest)]
    column = _named_column(question, header, own)
    header = _without_section_rows(header)
    sections = [span for span in _table_sections(chunk, best.start, reader) if not _overlaps(span, header)]
    return [*sorted([*sections, column or header], key=lambda span: span[1]), own, *(piece(i) for i in rest)]


_ROW_NUMBER = re.compile(r"^\s*\|?\s*\d{1,3}\s*\|")
_ROW_LINE = re.compile(r"(?m)^[ \t]*\|?[ \t]*\d{1,3}[ \t]*\|")
# How many lines a PDF's wrapped table row runs on for at most.
WRAPPED_ROW_LINES = 3


def _wrapped_row(texts: list[str], opens: int, at: int, question: Question | None) -> list[int]:
    """The lines a PDF table row wraps onto after texts[at] ('| 1 | Cấp giấy phép ... 2.002824.H21 |',
    then '05 ngày làm việc | - Trực tiếp ...'), up to the next row, when its lines so far (from
    texts[opens], the line that opens it) lack a value asked for: the value is in its cells further
    on. A yes-or-no ask ('is there a fee?') is answered by those cells too."""
    if question is None or not texts[opens].lstrip().startswith("|"):
        return []
    # The row's number ('| 3 | Gia hạn ...') is not a value of it.
    read = _ROW_NUMBER.sub("", " ".join(texts[opens : at + 1]), count=1)
    asks = question.parts or (question,)
    if not any(asks_yes_or_no(part.ask) or not holds_wanted_value(part, read) for part in asks):
        return []
    rest: list[int] = []
    for i in range(at + 1, min(len(texts), at + 1 + WRAPPED_ROW_LINES)):
        if texts[i].lstrip().startswith("|"):
            break  # the next row
        rest.append(i)
    return rest


# How many of the document's next chunks a sentence cut by its chunk's end is read on into.
CONTINUED_CHUNKS = 2


def _rest_of_sentence(chunk: Chunk, start: int, end: int, reader: DocumentReader | None) -> list[Piece]:
    """The rest of a sentence or a table row that its chunk's end cuts ('... sản phẩm thủy sản đạt'
    | 'yêu cầu xuất khẩu vào Hoa Kỳ (COA) | 04 ngày làm việc ...'), from the document's next chunks."""
    pieces: list[Piece] = []
    holder, at = chunk, end
    text = reader.document_text(chunk.doc_id) if reader is not None and not chunk.slice(end, chunk.end).strip() else ""
    # Read on while the span reaches its chunk's end (but for spaces) in the middle of a line.
    while (reader is not None and len(pieces) < CONTINUED_CHUNKS and not holder.slice(at, holder.end).strip()
           and "\n" not in text[at : holder.end + 1] and holder.end < len(text)):
        if _TERMINAL_END.search(text[max(0, at - 3) : at]):
            break  # the sentence ends where the chunk does
        following = reader.neighbour(holder, 1)
        if following is None:
            break
        # The next chunk overlaps this one, or starts where it ends: its sentence across `at`, or its first.
        span = next((sp for sp in sentence_spans(following.text, offset=following.start) if sp.end > at), None)
        if span is None or text[at : max(at, following.start)].strip() or span.start > max(at, following.start) + 2:
            break
        start = max(at, following.start)
        start += len(following.slice(start, span.end)) - len(following.slice(start, span.end).lstrip())
        pieces.append((following, start, span.end))
        holder, at = following, span.end
    return pieces


_TERMINAL_END = re.compile(r"[.!?:;…][\"”’)]*$")


# How much of a row's line, begun in the chunk before, is read back for it.
ROW_OPENING_MOST = 2000


def _with_row_opening(unit: list[Piece], best: Candidate, reader: DocumentReader | None) -> list[Piece]:
    """A row longer than a chunk opens in the chunk before: its tail ('nộp phí thẩm định ...
    karaoke, vũ trường. | Có') says neither which procedure it is nor what it costs. The row's
    opening comes with it, cited from the chunk that holds it."""
    chunk = best.chunk
    if reader is None or best.start != chunk.start or chunk.index == 0 or _ROW_NUMBER.match(chunk.text):
        return unit
    text = reader.document_text(chunk.doc_id)
    if text[chunk.start - 1 : chunk.start] in ("", "\n"):
        return unit  # the chunk opens on a line of its own, not inside a row
    # The line that opens the row: the last one before the chunk that starts with the row's number
    # (a cell may hold line breaks, so the row runs on several lines).
    before = text[max(0, chunk.start - ROW_OPENING_MOST) : chunk.start]
    opens = [m.start() for m in _ROW_LINE.finditer(before)]
    if not opens or "\n\n" in before[opens[-1] :]:
        return unit
    start = chunk.start - len(before) + opens[-1]
    held = _held_by(chunk, start, start + 1, reader)
    if held is None:
        return unit
    # As much of it as the chunk that holds its start holds: the row's number, name and first cells.
    opening = (held[0], start, min(held[0].end, chunk.start))
    own = next((i for i, piece in enumerate(unit) if piece[0] is chunk and piece[1] == best.start), len(unit))
    return [*unit[:own], opening, *unit[own:]]


def _header_before(chunk: Chunk, reader: DocumentReader | None) -> Piece | None:
    """The header row of the table `chunk` opens inside (chunk.table_header), and a chunk that
    holds it whole, to cite it from."""
    if reader is None or not chunk.table_header:
        return None
    start = reader.document_text(chunk.doc_id).rfind(chunk.table_header, 0, chunk.start)
    return _held_by(chunk, start, start + len(chunk.table_header), reader) if start >= 0 else None


def _held_by(chunk: Chunk, start: int, end: int, reader: DocumentReader) -> Piece | None:
    """A span of the document at or before `chunk`, with the chunk that holds it whole, to cite it
    from: found by halving, as a document's chunks are in order."""
    if chunk.start <= start and end <= chunk.end:
        return chunk, start, end
    low, high, holder = 0, chunk.index - 1, None
    while low <= high:
        middle = (low + high) // 2
        found = reader.neighbour(chunk, middle - chunk.index)
        if found is None:
            return None
        if found.start <= start:
            holder, low = found, middle + 1
        else:
            high = middle - 1
    return (holder, start, end) if holder is not None and end <= holder.end else None


# A table's section row: a numeral and a name ('I | THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN ... CỦA SỞ',
# '| B | Thủ tục hành chính cấp tỉnh | | |'), or a name alone across the row, its other cells empty
# ('| THỦ TỤC HÀNH CHÍNH CẤP TỈNH | | | |'; not the end of a header a PDF wrapped: 'Căn cứ pháp lý |');
# and the numbered heading over a table ('II. THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ').
_SECTION_ROW = re.compile(r"^\|?\s*(?:[IVX]{1,4}|[A-ZĐ])\.?\s*\|\s*[^\W\d_][^|]{2,}?\s*(?:\|\s*)*$|"
                          r"^\|\s*[^\W\d_][^|]{2,}?\s*\|(?:\s*\|)+\s*$")
_SECTION_HEADING = re.compile(r"^(?:[IVX]{1,4}|[A-ZĐ])\.\s+\S")
# How far back a row's sections are looked for.
SECTION_LINES = 80


def _table_sections(chunk: Chunk, row_start: int, reader: DocumentReader | None) -> list[Piece]:
    """What part of its table a row is in: the nearest section row above it and the numbered
    heading over the table ('II. THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ', then '| THỦ TỤC HÀNH CHÍNH CẤP TỈNH
    | | |' over '| 1 | 1.000953 | Thủ tục cấp Giấy chứng nhận ... môn Yoga | ...'): whether a
    procedure was repealed, and at which level of government it is done, is said there only."""
    if reader is None:
        return []
    text = reader.document_text(chunk.doc_id)
    found: list[tuple[int, int]] = []
    section_row = False
    end = text.rfind("\n", 0, row_start)
    for _ in range(SECTION_LINES):
        if end <= 0:
            break
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if "|" not in line:
            if _SECTION_HEADING.match(line.strip()):
                found.append((start, end))
            break  # above the table
        if not section_row and _SECTION_ROW.match(line.strip()):
            found.append((start, end))
            section_row = True
        end = start - 1
    spans = [_held_by(chunk, start, end, reader) for start, end in reversed(found)]
    return [span for span in spans if span is not None]


def _without_section_rows(header: Piece) -> Piece:
    """The header's lines up to a section row read on with them ('STT | Tên thủ tục | ...' then 'I |
    THỦ TỤC ... CỦA SỞ'): the section is the first rows', not every row's."""
    holder, start, end = header
    at = start
    for line in holder.slice(start, end).split("\n"):
        if at > start and _SECTION_ROW.match(line.strip()):
            return holder, start, at - 1
        at += len(line) + 1
    return header


def _overlaps(span: Piece, other: Piece | None) -> bool:
    return other is not None and span[1] < other[2] and other[1] < span[2]


# What a table row gains when the question names it by its label cell.
# A row named by the question holds its label and numbers, few of the question's other words: at
# 0.15 the refusal model still refused right rows ('China | 700,000'); above 0.3 rows named only
# by a common word outrank the sentence that answers (measured on dev, samples, heldout1-7).
ROW_NAMED_BONUS = 0.3
_TOTAL_ROW = re.compile(r"(?i)^(?:totals?|tổng(?: cộng| số)?|cộng)\b")
# A question that asks for a total, which a table's total row answers when it names no other row.
_ASKS_TOTAL = re.compile(r"\b(?:total|in all|altogether|tong|tong cong|tong so)\b")
TOTAL_ROW_BONUS = 0.1
_RECORD_NUMBER = re.compile(r"\b\d{1,3}\b")
# The refusal model's confidence below which even a row the question names by its very name is refused.
ROW_NAMED_FLOOR = 0.3
_LETTER = re.compile(r"[^\W\d_]")


def _row_year(row: str) -> str | None:
    """The year a table row is the record of, when its first cell is one ('2007 | 66 | 8 | ...')."""
    first = row.split(" | ", 1)[0].strip()
    return first if _A_YEAR.fullmatch(first) else None


def _names_the_row(row: str, weights: dict[str, float], own_number: str = "") -> bool:
    """Whether the question names a row by its label, the first cell with words in it ('China',
    'Xã Vân Hồ', 'Dự án thành phần 6: Bồi thường ... qua xã Nam Đàn'): most of the label's words
    are the question's; or, in a table by year, its year. Not by the document's own number
    (`own_number`, folded): the header line 'Số: 66/2025/TT-BXD | Hà Nội, ngày ...' is no record."""
    if year := _row_year(row):
        return year in weights  # a table by year ('2007 | 66 | 8 | 3,482 | ...'): the year the question names
    words = set(terms(_row_label(row))) - (set(terms(own_number)) if own_number else set())
    return bool(words) and len(words & weights.keys()) >= 0.75 * len(words)


def _row_label(row: str) -> str:
    """A row's label: its first cell with words in it, without what the label excepts."""
    return _EXCEPTION.sub(" ", next((cell for cell in row.split(" | ") if len(_LETTER.findall(cell)) >= 3), ""))


def _label_share(row: str, weights: dict[str, float], idf: Callable[[str], float]) -> float:
    """How much of a row's label (by rarity) the question holds: 1.0 when every word is asked."""
    if _row_year(row):
        return 1.0
    words = [t for t in set(terms(_row_label(row))) if not any(ch.isdigit() for ch in t)]
    total = sum(idf(t) for t in words)
    return sum(idf(t) for t in words if t in weights) / total if total > 0 else 1.0


def _row_named_by_name(row: str, question: Question) -> bool:
    """Whether the row's label is a name the question writes as it is ('Texas', 'Kentucky'): a
    capitalised label of a few words found, capitals and all, in the question."""
    label = next((cell.strip(" -–•") for cell in row.split(" | ") if len(_LETTER.findall(cell)) >= 3), "")
    if not 0 < len(label.split()) <= 4 or not label[:1].isupper() or not terms(label):
        return False  # nor a stopword ('How', 'Total' at a question's start is no name)
    found = re.search(rf"\b{re.escape(label)}\b", question.text)
    return found is not None and found.start() > 0 and not _TOTAL_ROW.match(label)


def _cells(chunk: Chunk, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of a table row line as document offsets, empty ones included."""
    text = chunk.slice(start, end)
    cells, at = [], 0
    for part in text.split(" | "):
        lead = len(part) - len(part.lstrip(" |"))
        cells.append((start + at + lead, start + at + len(part.rstrip(" |"))))
        at += len(part) + 3
    return cells


# Which group, category or list something is in: 'thuộc nhóm địa bàn nào', 'which category'.
_ASKS_GROUP = re.compile(
    r"\bthuoc (?:nhom|loai|danh muc|dia ban|khu vuc|dien|muc|phan|cot|bang|phu luc)\b(?: \S+){0,4} nao\b|"
    r"\b(?:which|what) (?:group|category|list|class|type|column|section|schedule|tier|zone|band)\b"
)


def _named_column(
    question: Question | None, header: Piece, row: Piece
) -> Piece | None:
    """When the question names something that one cell of the row holds ('Phường Bạc Liêu
    thuộc nhóm địa bàn nào?'), that cell's column heading: the header cell above it."""
    if question is None or not _ASKS_GROUP.search(question.folded):
        return None  # 'the rate in Phường Tô Hiệu' asks for a cell of the row, not which column it is in
    names = [*question.places, *question.name_pairs]
    if not names:
        return None
    head_chunk, row_chunk = header[0], row[0]
    head_cells, row_cells = _cells(*header), _cells(*row)
    if len(head_cells) != len(row_cells):
        return None
    holding = [i for i, (s, e) in enumerate(row_cells) if any(name <= frozenset(terms(row_chunk.slice(s, e))) for name in names)]
    if len(holding) != 1 or holding[0] >= len(head_cells):
        return None
    start, end = head_cells[holding[0]]
    return (head_chunk, start, end) if end > start else None


# A table's section line ('I | THỦ TỤC HÀNH CHÍNH ...', 'A | ...') under its header.
_SECTION_CELL = re.compile(r"[IVX]{1,4}|[A-ZĐ]")


def _heads_columns(line: str, cells: list[str]) -> bool:
    """Whether a line can be a table's header: names, none empty but over the labels, not figures,
    nor a section line, nor the tail of a row a chunk opened inside ('... Nghị định số
    352/2025/NĐ-CP ... | Cấp tỉnh | x'), nor the document's own header ('BỘ XÂY DỰNG | CỘNG HÒA ...')."""
    return names_columns(line) and not _SECTION_CELL.fullmatch(cells[0]) and not _NATIONAL_MOTTO.search(line) and all(
        cells[1:]) and not any(cell.endswith((".", ";", "-")) or DOC_NUMBER.search(cell) for cell in cells)


# A cell quoted in the answer's opening line at most this long (a procedure's cells run long).
CELL_CHARACTERS = 160


# Words (and characters) of a row's label named beside the cell read from it.
LABEL_WORDS = 10
LABEL_CHARACTERS = 80
_NUMBERED_ITEM = re.compile(r"\b\d+\.\s")


def read_cell(
    question: Question, question_terms: dict[str, float], header: Piece, row: Piece
) -> str | None:
    """The cell of a table row the question asks for, named by its column and the row's label:
    'Robbery (2007): 4,985'. The column is the one whose heading holds most of the question's
    words (by their weight), among those whose cell holds the kind of value asked for, or the one
    cell that holds the quantity asked for in its unit; None when no heading shares a word with the
    question (and no cell stands alone), or two share as much, or no header line has a cell over each
    of the row's."""
    row_text = row[0].slice(row[1], row[2])
    cells = [" ".join(cell.strip(" |").split()) for cell in row_text.split(" | ")]
    heads: list[str] = []
    # The header's line with a cell over each of the row's ('STT | Tên thủ tục | ...', not the
    # section line under it: 'I | THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN ...').
    for line in header[0].slice(header[1], header[2]).split("\n"):
        found = [" ".join(cell.strip(" |").split()) for cell in line.split(" | ")]
        if not _heads_columns(line, found):
            continue
        if len(found) + 1 == len(cells) and line.startswith("|") and not row_text.startswith("|"):
            found = ["", *found]  # its first cell is empty, over the rows' labels ('| Murder | ...' over '2007 | 66 | ...')
        if len(found) == len(cells):
            heads = found
            break
    if len(cells) < 2 or not heads:
        return None
    label_at = next((i for i, cell in enumerate(cells) if len(_LETTER.findall(cell)) >= 3 or _row_year(cell)), None)
    scored = []
    for i, (head, cell) in enumerate(zip(heads, cells, strict=True)):
        if i == label_at or not head or not cell or not holds_wanted_value(question, cell, head):
            continue
        scored.append((sum(question_terms.get(t, 0.0) for t in set(terms(head))), i))
    scored.sort(reverse=True)
    # No heading shares a word with the question (an English question over a Vietnamese table, say),
    # but one cell alone holds the quantity asked for, written in its unit ('1,5%' for 'what
    # percentage'; a bare '1,5' under a '%' heading is not enough): that one.
    alone = len(scored) == 1 and question.unit_heading is not None and holds_unit(question, cells[scored[0][1]])
    if not scored or (scored[0][0] <= 0 and not alone) or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    at = scored[0][1]
    value = cells[at].rstrip(" .;,")
    value = value if len(value) <= CELL_CHARACTERS else value[: CELL_CHARACTERS - 1].rstrip() + "…"
    label = _short_label(cells[label_at]) if label_at is not None else ""
    return f"{heads[at]} ({label}): {value}" if label else f"{heads[at]}: {value}"


def _short_label(label: str) -> str:
    """A row's label as the cell read from it names it: a long one cut, not left out (the value
    alone would read as the answer of any row), before a bracket it would leave open; none for a
    cell that lists items ('Long Điền 45. Xã Đông Hải 46. ...')."""
    if len(_NUMBERED_ITEM.findall(label)) >= 2:
        return ""
    words = label.lstrip("-–• ").split()
    short = " ".join(words[:LABEL_WORDS])[:LABEL_CHARACTERS]
    if len(short) == len(" ".join(words)):
        return short
    if short.count("(") > short.count(")"):
        short = short[: short.rfind("(")]
    return short.rstrip(" ,;:-") + " …"


def _list_after(
    chunk: Chunk, spans: list[Span], at: int, reader: DocumentReader | None
) -> list[Piece]:
    """The items of the list introduced by spans[at]: the list items that follow it, or else the
    one sentence that follows (items run together: 'A; B; C.'). When the chunk ends first, the
    document's next chunk is read from where this one ends."""
    rest = [(chunk, sp.start, sp.end) for sp in spans[at + 1 :]]
    if reader is not None and len(rest) < LIST_CAP + 1:
        nxt = reader.neighbour(chunk, 1)
        if nxt is not None:
            rest += [(nxt, sp.start, sp.end) for sp in sentence_spans(nxt.text, offset=nxt.start) if sp.start >= chunk.end]
    items: list[Piece] = []
    for holder, start, end in rest:
        if not _LIST_ITEM.match(holder.slice(start, end)):
            break
        items.append((holder, start, end))
    return items or _unmarked_items(rest) or rest[:1]


def _unmarked_items(rest: list[Piece]) -> list[Piece]:
    """A list whose bullets the page's markup drew ('@BarackObama on Twitter', 'Facebook.com/...'):
    short lines, each on a line of its own, that do not end a sentence. Two at least."""
    items: list[Piece] = []
    for holder, start, end in rest:
        line = holder.slice(start, end).strip()
        on_own_line = start == holder.start or "\n" in holder.text[max(0, start - holder.start - 2) : start - holder.start]
        if not on_own_line or len(line.split()) > UNMARKED_ITEM_WORDS or line.endswith((".", ":", "?")):
            break
        items.append((holder, start, end))
    return items if len(items) >= 2 else []


class ExtractiveAnswerer:
    """Always answers (or refuses): the last answerer in every chain."""

    backend = BACKEND

    def __init__(
        self, lexical: Callable[[], LexicalIndex], threshold: float, max_quotes: int, model: RefusalModel | None = None,
        meaning: SentenceMeaning | None = None, reader: DocumentReader | None = None,
    ) -> None:
        self._lexical = lexical
        self._reader = reader
        self.threshold = threshold
        self.max_quotes = max_quotes
        self.model = model
        self.meaning = meaning

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        draft = self.draft(request)
        yield draft.text
        yield draft

    def draft(self, request: AnswerRequest) -> Draft:
        if request.extractive is None:
            request.extractive = answer_extractively(
                request.question, request.retrieved, self._lexical(), self.threshold, self.max_quotes, self.model,
                self.meaning, self._reader, request.hidden,
            )
        return request.extractive


class RefusalGate:
    """Stands before a model: when the refusal model reads the retrieved passages as not answering
    the question, it refuses without calling the model (no cost, no invented answer); otherwise it
    lets the model answer, which is handed the passages this answer quotes (request.extractive)."""

    backend = BACKEND

    def __init__(self, extractive: ExtractiveAnswerer) -> None:
        self._extractive = extractive

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        model = self._extractive.model
        if model is None:
            return
        draft = self._extractive.draft(request)
        if draft.refused and draft.confidence is not None and draft.confidence < model.cut:
            yield draft
