"""A question parsed once, into the typed object every stage reads.

Retrieval, the answerers and the refusal all need the same facts about a question: its folded
form and terms, its language, whether it was typed without diacritics, what kind of value it asks
for and which word it asks about. They are worked out here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from qa.glossary import translate
from qa.text import DOC_NUMBER, MONTH, VIETNAMESE_LETTERS, VIETNAMESE_SYLLABLE, Language, fold, has_diacritics, language_of, terms

AnswerType = Literal["date", "number", "organisation", "person"]

# Common Vietnamese syllables, folded: a question full of them but with no diacritics is Vietnamese
# typed without accents, where dense retrieval is weak and folded BM25 is strong (shared/NOTES.md).
_VIETNAMESE_HINTS = frozenset(
    "duoc cua nao gi bao nhieu ngay thang nam ket luan nghi quyet tinh uy theo trong nhung cac "
    "khong la ai dau ve thuc hien phat trien do thi chuong trinh giai doan ban hanh so".split()
)

# 'what is the latest date by which ...', 'the last day the ...': not 'the day care subsidy'.
_DAY_ENDS = r"(?= (?:by|on|of|for|that|when|to|before|after|the|in)\b|\s*\?|$)"
_DATE_QUESTION = re.compile(
    r"\b(when|(?:what|which)(?: \w+)? (?:date|day|year)|(?:what|which) (?:is|was|are|were) the (?:\w+ )?(?:date|day)" + _DAY_ENDS + "|"
    r"by what date|ngay nao|khi nao|nam nao|thoi gian nao|thoi diem nao|"
    r"tu ngay nao|den ngay nao|truoc ngay nao|deadline|closing date|due date|han chot)\b"
)
# A date asked for to the day ('ngày nào', 'on what date', 'the deadline'): a year alone does not answer it.
_DAY_QUESTION = re.compile(r"\b(?:(?:what|which) (?:date|day)|(?:what|which) (?:is|was|are|were) the (?:\w+ )?(?:date|day)" + _DAY_ENDS + "|"
                           r"ngay nao|ngay thang nam nao|deadline|closing date|due date|han chot)\b")
# A telephone number asked for (Question.unit is then _PHONE_VALUE).
_PHONE_ASKS = r"so dien thoai|so fax|duong day nong|(?:tele)?phone number|hotline|fax number"
_NUMBER_QUESTION = re.compile(
    r"\b(how many|how much|how long|how large|how big|how often|how frequently|what percent\w*|bao nhieu|bao lau|may lan|ty le|"
    r"may (?:ngay|tuan|thang|quy|nam|gio|phut)|dinh ky bao lau|"
    r"what (?:is|was|are|were) (?:the |its |their )?(?:[\w'’-]+ ){0,4}?(?:rate|area|number|total|scale|budget|cost|size|length|"
    r"capacity|population|fee|amount|price|value|percentage|sum|fine|limit|coefficient|investment|wage|salary|allowance|toll|"
    r"threshold|ceiling|score)(?![- ](?:added|polic\w*|regime|scheme|system)\b)|what amount|what (?:\w+ ){0,8}cost|"
    r"what (?:\w+ ){0,2}rate|(?<!in )what (?:[\w-]+ ){0,2}(?:price|wage|salary|limit|value|size|capacity|gpa|score|threshold)"
    r"(?![- ](?:added|polic\w*|regime|scheme|system)\b)|"
    r"what (?:share|proportion|fraction) of|"
    + _PHONE_ASKS + r")\b"
)
_ORGANISATION_QUESTION = re.compile(
    r"\b(co quan nao|don vi nao|to chuc nao|bo nao|so nao|giao cho ai|ai duoc giao|theo de nghi cua ai|"
    r"which (?:\w+ )?(?:agency|agencies|organi[sz]ations?|department|body|bodies|ministry|office|committee)|"
    r"who (?:publishes|published|issued|is responsible)|^who\b.{0,100}\bfrom(?=\W*$))\b"
)
# Who did something, as a person: 'who signed', 'who delivered', 'ai ky', 'thu truong nao ky'.
_PERSON_QUESTION = re.compile(
    r"^who (?!is responsible|publishes|published|issued)|\bwho (?:signed|delivered|chairs|heads|leads|wrote|said)\b|"
    r"\b(?:ai|nguoi nao|ong nao|ba nao|thu truong nao|pho chu tich nao|chu tich nao|bo truong nao) "
    r"(?:ky|lam truong|lam pho|phu trach|chu tri|phat bieu)\b|\bdo ai\b|\bla ai\b|\bai (?:(?:dang|hien|hien dang|se) )?(?:la|giu chuc|dang giu)\b"
)
# The unit a quantity asked for comes with: 'bao lâu' wants days or months, 'lệ phí ... bao nhiêu'
# an amount of money, 'tỷ lệ' a percentage, 'how many airplanes' airplanes. (question, value) pairs,
# folded; the value pattern is what the answering sentence holds.
# '90 work-hours', '30 working days', '10 business days' are days and hours too.
_DURATION_QUALIFIER = r"(?:(?:work|working|business|calendar|man|person)[- ]?)?"
_DURATION_VALUE = r"\d\s*" + _DURATION_QUALIFIER + r"(?:ngay|thang|nam|gio|tuan|phut|days?|weeks?|months?|years?|hours?|minutes?)\b"
_PERCENT_VALUE = r"\d\s*%|\d\s*(?:percent|phan tram)\b"
# 'What share of the budget ...', 'what percentage of the unit price' ask a percentage, whatever
# it is a share of ('at what rate' may ask an amount: '£11.44 an hour').
_SHARE_QUESTION = re.compile(
    r"\bwhat (?:share|proportion) of\b|\bas an? (?:share|proportion|percentage) of\b|\bwhat percent(?:age)?\b|\bbao nhieu phan tram\b"
)
_UNITS: list[tuple[re.Pattern[str], str]] = [
    # Money per square metre ('bao nhiêu đồng một mét vuông'): a total in đồng does not answer it.
    (re.compile(r"\b(?:dong|vnd) (?:mot|moi|tren|cho mot|cho moi) ?(?:met vuong|m2)\b|\bper square met(?:re|er)\b"),
     r"\d[\d.,]*\s*(?:dong|d|vnd)?\s*/\s*(?:m2|m²|met vuong)|\d[\d.,]*\s*(?:dong|vnd) (?:mot|moi|tren) (?:met vuong|m2)"),
    # 'How long is the coastal road?' asks a length; 'how long does it take' a duration.
    (re.compile(r"\b(?:bao lau|how long (?:does|do|did|will|would|must|can|should|has|have|may)|bao nhieu (?:ngay|thang|nam|gio|tuan|phut)|"
                r"may ngay|how many (?:days|weeks|months|years|hours))\b"),
     _DURATION_VALUE),
    (re.compile(r"\b(?:bao nhieu (?:tien|dong)|how many (?:dollars|pounds)|phi (?:tham dinh|cap|dang ky|dich vu|su dung)|"
                r"muc phi|le phi|muc thu|muc ho tro|muc chi|tong muc|tien luong|muc luong|ho tro luong|"
                r"how much (?:money|does|do|is|was|will)|"
                r"muc phat|phat tien|tien phat|kinh phi|chi phi|costs?|fees?|fines?|price|budget|salary|allowance)\b"),
     r"\d[\d.,]*\s*(?:dong|d|vnd|trieu|ty|nghin|usd|dollars?|pounds?|euros?|thousand|million|billion|trillion)\b|(?:[$£€]|\busd|\bvnd)\s*\d"),
    (re.compile(r"\b(?:phan tram|ty le|percent|percentage|interest rate|lai suat)\b"), _PERCENT_VALUE),
    (re.compile(r"\b(?:dien tich|area|how many (?:hectares|acres|square)|bao nhieu (?:hec-?ta|ha|km2|m2))\b"),
     r"\d[\d.,]*\s*(?:ha|hec-?ta|km2|km²|m2|m²|hectares?|acres?|square (?:kilomet|met)\w*|sq)(?![\w])"),
    (re.compile(r"\b(?:dan so|population)\b"),
     # People counted, or a count in the thousands that is not an area, an amount or a share.
     r"\d[\d.,]*\s*(?:nguoi|people|persons|residents|inhabitants|trieu|million|nghin|thousand)\b|"
     r"\b\d{1,3}(?:[.,]\d{3})+(?!\d|[.,]\d)(?!\s*(?:km|m2|m²|ha\b|hecta|dong|vnd|usd|ty\b|trieu dong|%))"),
]
_COUNTED = re.compile(r"\b(?:how many|bao nhieu|may) ([a-z]{2,})\b")
# Words after 'bao nhiêu' that are not what is counted: 'bao nhiêu mỗi tháng' asks a rate.
_NOT_COUNTED = frozenset("moi mot cho trong tu duoc la va cua o tai theo khi thi nhu the vao nay do".split())
# Words after 'bao nhiêu' that name a measure the units above read better: money, a share, a span.
_MEASURE_WORDS = frozenset("tien phan ty trieu dong nghin usd ngay thang nam gio tuan phut percent hec ha km2 m2".split())
# A measure's name without its number, as a table's header row gives it ('Thời hạn giải quyết',
# 'Sơ bộ tổng mức đầu tư (tỷ đồng)', 'Mức tỷ lệ phần trăm (%)'): by the measure's value pattern.
_UNIT_HEADINGS = {
    _UNITS[0][1]: r"(?:dong|d|vnd)\s*/\s*(?:m2|m²)",
    _UNITS[1][1]: r"\b(?:ngay|thang|gio|tuan|phut|days?|weeks?|months?|years?|hours?|minutes?|thoi han|thoi gian)\b",
    _UNITS[2][1]: r"\b(?:dong|vnd|trieu|ty|nghin|usd|dollars?|pounds?|euros?|thousands?|millions?|billions?|trillions?)\b|[$£€]",
    _PERCENT_VALUE: r"%|\bpercent|\bphan tram",
    _UNITS[4][1]: r"\b(?:ha|hec-?ta|km2|m2|hectares?|acres?|dien tich|area)\b|km²|m²",
    _UNITS[5][1]: r"\b(?:nguoi|dan so|population|people)\b",
}


# 'bao nhiêu tháng' wants months, not '08 ngày làm việc'; 'bao lâu' any duration.
_NAMED_DURATION = re.compile(r"\b(?:bao nhieu|may|how many) (ngay|thang|nam|gio|tuan|phut|days|weeks|months|years|hours|minutes)\b")
_DURATION_WORDS = {"ngay": "ngay|days?", "days": "ngay|days?", "thang": "thang|months?", "months": "thang|months?",
                   "nam": "nam|years?", "years": "nam|years?", "gio": "gio|hours?", "hours": "gio|hours?",
                   "tuan": "tuan|weeks?", "weeks": "tuan|weeks?", "phut": "phut|minutes?", "minutes": "phut|minutes?"}


# How often something is done ('how often', 'bao lâu một lần'): the answer says so ('ít nhất mỗi 06
# tháng một lần', 'every two years', 'a suggested periodicity is 6 months at most'), not how long.
_FREQUENCY_QUESTION = re.compile(
    r"\b(?:how often|how frequently|bao lau (?:\w+ ){0,2}?mot lan|may lan|bao nhieu lan|"
    r"dinh ky (?:bao lau|(?:may|bao nhieu) (?:ngay|tuan|thang|quy|nam))|"
    r"(?:may|bao nhieu) (?:ngay|tuan|thang|quy|nam) (?:\w+ )?mot lan)\b"
)
FREQUENCY_VALUE = (
    r"\b(?:moi|hang)\s+(?:\d+\s*)?(?:ngay|tuan|thang|quy|nam)\b|\bmot lan\b|\b\d+\s*lan\b|"
    r"\b(?:every|each|per|once an?|twice an?|once per|twice per)\s+(?:\d+\s+|other\s+|two\s+|three\s+|six\s+)?"
    r"(?:days?|weeks?|months?|quarters?|years?)\b|\b(?:annually|monthly|weekly|quarterly|daily|yearly|biannually|periodicity)\b|"
    r"\btimes an? (?:day|week|month|year)\b"
)
# A table's column of how often: 'Tần suất', 'Định kỳ', 'Frequency'.
FREQUENCY_HEADING = r"\b(?:tan suat|dinh ky|frequency|periodicity)\b"


# A telephone number: '0238.3.598.598', '(202) 493–2251', '1900 6868', '+84 24 3823 4567'.
_PHONE_QUESTION = re.compile(rf"\b(?:{_PHONE_ASKS})\b")
_PHONE_VALUE = r"(?<![\d.,])(?:\+\d{1,3}[\s.]?\d{1,4}|\(\d{2,4}\)|0\d{2,3}|1[89]00)(?:[\s.–-]?\d{1,4}){1,4}(?![\d,])"


def _unit(folded: str) -> tuple[str | None, str | None]:
    """(unit, unit_heading) of a quantity question: see Question.unit and Question.unit_heading."""
    if _FREQUENCY_QUESTION.search(folded):
        return FREQUENCY_VALUE, None
    if _PHONE_QUESTION.search(folded):
        return _PHONE_VALUE, r"\b(?:dien thoai|fax|phone|tel|hotline)\b"
    if _SHARE_QUESTION.search(folded):
        return _PERCENT_VALUE, _UNIT_HEADINGS[_PERCENT_VALUE]
    named = _NAMED_DURATION.search(folded)
    if named:
        return rf"\d\s*{_DURATION_QUALIFIER}(?:{_DURATION_WORDS[named.group(1)]})\b", _UNIT_HEADINGS[_DURATION_VALUE]
    counted = _COUNTED.search(folded)
    if counted and counted.group(1) in _NOT_COUNTED | _MEASURE_WORDS:
        counted = None
    # What is counted, said outright ('tổng đàn dưới bao nhiêu con'), names the unit before the
    # topic does ('hỗ trợ kinh phí ... bao nhiêu con': heads, not money).
    for asked, value in _UNITS if counted is None else ():
        if asked.search(folded):
            return value, _UNIT_HEADINGS.get(value)
    if counted:
        noun = counted.group(1)
        stem = noun[:-1] if noun.endswith("s") and len(noun) > 3 else noun
        # '150 (một trăm năm mươi) con': the number spelled out in brackets may come between.
        # Within one cell: in a table row "| 8 | 1.005163 | Thủ tục ..." no number counts procedures.
        count = rf"\d[\d.,]*\s+(?:\([^)]{{0,60}}\)\s+)?(?:[^\s|]+\s+){{0,2}}{re.escape(stem)}"
        # 'How many students were killed': students counted for what befell them, not enrolled.
        event = re.search(rf"\b{re.escape(noun)} (?:were|was|have been|has been|had been|got) ([a-z]{{3,}}ed)\b", folded)
        if event and (befell := terms(event.group(1))):
            return rf"(?s)^(?=.*\b{re.escape(befell[0])})(?=.*{count})", None
        return count, None
    return None, None


# A question that asks what a term means: 'How does the guide define work-study?', 'X là gì?'.
_DEFINITION_QUESTION = re.compile(
    r"\b(?:define[sd]?|definition of|what (?:is|are) meant by|what does .{1,60} mean|how does .{1,60} describe|la gi|"
    r"duoc hieu (?:la|nhu the nao)|"
    r"nghia la gi|khai niem)\b"
    # A short 'what is X?' at the end of the ask ('In the booklet ..., what are grants?').
    r"|(?:^|[,:;] )what (?:is|are) (?:an? |the )?[\w'-]+(?: [\w'-]+){0,2}\W*$"
)


# A document type, then its number and year alone: 'Resolution 73/2025', 'nghị quyết số 73/2025'.
_SHORT_CITATION = re.compile(
    r"\b(?:resolution|decision|decree|circular|directive|conclusion|law|nghi quyet|quyet dinh|nghi dinh|thong tu|chi thi|"
    r"ket luan|luat)(?: no\.?| so| number)? (\d{1,5}/(?:19|20)\d\d)\b(?![/-]\w)"
)


# Things asked for in the plural ('Which social media accounts did ...'; 'themselves' is none).
_NOT_AUXILIARY = r"(?!(?:would|will|do|does|did|can|could|should|must|may|is|are|was|were|have|has|had)\b)"
_PLURAL_NOUN = r"(?![a-z]*selves\b)[a-z]+[^suy ]s"
_ASKING_VERB = r"(?:did|do|does|are|were|will|would|can|could|must|should|have|has)\b"
# A question whose answer is several items: 'What are the three major bottlenecks?', 'những nhiệm
# vụ nào', 'Which two models ...?', 'list the ...'.
_LIST_QUESTION = re.compile(
    r"(?:^|[,:;] )(?:what|which) (?:are|were)\b|\bwhat (?:does|do|did|will) .{1,80} (?:involve|include|cover|consist of)\b|"
    r"\b(?:what|which) (?:two|three|four|five|six|seven|eight|nine|ten|\d+)\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten) (?:\w+ ){0,3}(?:are|were|does|do|did)\b|\blist (?:the|all)\b|"
    r"^name (?:some|the|all|a few|two|three|four|five)\b|\bwhat (?:kinds|types|sorts) of\b|"
    r"\b(?:what|which) " + _NOT_AUXILIARY + r"(?:[a-z-]+ ){0,3}" + _PLURAL_NOUN + r" " + _ASKING_VERB + r"|"
    r"\bwhat (?:can|could|may) .{1,80} (?:be used )?for\W*$|"
    r"\bnhung \w+(?:,? \w+){0,3} nao\b|\bcac \w+(?:,? \w+){0,3} nao\b|\bgom nhung\b|\bbao gom nhung\b|\bnhung gi\b"
)
# The words that ask, not what is asked about: 'lâu' in 'bao lâu' is in no answer.
_QUESTION_PHRASE = re.compile(
    r"\b(how (?:many|much|long|large|big|far|old)|what (?:is|are|was|were)|bao (?:nhieu|lau)|(?:khi|luc) nao|(?:nhu )?the nao|ra sao|o dau"
    # Words that say what kind of value is asked for, or how exactly, not what about: the answer
    # to 'the deadline for comments' says 'must receive comments by September 21', and 'roughly
    # how large' is answered by 'about 3,900 km2'.
    r"|deadlines?|roughly|approximately|exactly|precisely)\b"
)
# 'Which social media accounts did ...': the things asked for are the accounts, not 'social'.
_PLURAL_FOCUS = re.compile(
    r"^(?:what|which)\s+" + _NOT_AUXILIARY + r"(?:[a-z-]+\s+){0,3}?(" + _PLURAL_NOUN + r")\s+" + _ASKING_VERB
)
_FOCUS = re.compile(
    r"^(?:what|which|how many|how much|who|whom)\s+(?:(?:is|are|was|were|does|do|did|will be|will)\s+)?(?:the\s+|a\s+)?(\w+)"
)
# A term the question puts in quotes, of a few words: what it asks about ('what does the
# property 'internal consistency' assess?').
_QUOTED_TERM = re.compile(r"['‘\"“]([^'’\"”]{3,40})['’\"”]")
# A title in quotes: it opens with a capital ('Your Federal Student Loans', 'UK Guarantees scheme: ...').
_QUOTED_TITLE = re.compile(r"['‘\"“][A-ZĐ][^'’\"”]{2,150}['’\"”]")
_NAME_PHRASE = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-ZĐ][\wÀ-ỹ]*(?:\s+[A-ZĐ][\wÀ-ỹ]*)+")
_NAME_WORD = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-ZĐ][\wÀ-ỹ]{2,}")


@dataclass(frozen=True)
class Question:
    text: str
    # What is asked, apart from the situation the asker describes first ("I run a small workshop
    # in Nha Trang ... How many industrial clusters are planned?"): terms, type and focus come
    # from the ask; the story only adds the names it mentions to the search.
    ask: str
    story: str
    # What retrieval embeds: the ask, or the whole message when the ask leans on the story
    # ("Does Circular 66 allow it?").
    search_text: str
    folded: str
    terms: tuple[str, ...]
    language: Language
    unaccented_vietnamese: bool
    answer_type: AnswerType | None
    # Several items are asked for: a sentence that introduces a list answers with its items.
    wants_list: bool
    # What a term means is asked: a sentence that defines one ('work-study—money you earn ...').
    wants_definition: bool
    # A date asked for to the day, not only the year ('Nghị quyết ... ban hành ngày nào?').
    wants_day: bool
    # What a quantity asked for comes with, as a pattern over folded text ('05 thu tuc', '3%',
    # '10.000.000 dong'); None when no unit is named.
    unit: str | None
    # When the unit is a measure (days, money, a percentage), its name as a table header gives it: a
    # number without the measure, in its sentence or its table's header, does not answer. None for
    # a counted noun ('how many airplanes'), which the answer may name otherwise.
    unit_heading: str | None
    # The word asked about: 'budget' in 'What is the budget for the coastal road?' (as terms).
    focus: frozenset[str]
    # The question's terms without its question words ('how many', 'bao nhieu').
    content_terms: tuple[str, ...]
    # The story's terms, when the ask points into it ('Thủ tục này ...', 'her wages'): they count,
    # but less than the ask's own.
    context_terms: tuple[str, ...]
    # Each pair of adjacent capitalised words, as term sets: from 'Khanh Hoa Provincial Party
    # Committee' come 'Khanh Hoa', 'Hoa Provincial', ...; a document naming only 'Khanh Hoa' counts.
    name_pairs: tuple[frozenset[str], ...]
    # Single capitalised words (not at a sentence start): names to look for in the index.
    name_words: tuple[str, ...]
    doc_numbers: frozenset[str]
    # A document cited by its number and year alone ('Resolution 73/2025', 'Quyết định 325/2026'):
    # '73/2025', the start of its full number.
    short_citations: frozenset[str] = frozenset()
    # Each ask of a question that asks two things ('how many km, and how much will it cost?'),
    # parsed on its own; empty for a question that asks one.
    parts: tuple[Question, ...] = ()
    # Months the ask names with a year ('in December 2015'), as term sets of the month alone (PDFs
    # glue the year to the next word: 'November - 2015Pre-Pawn'): November's table is not December's.
    periods: tuple[frozenset[str], ...] = ()
    # Places the ask names with what they are ('tỉnh Khánh Hòa', 'thành phố Hà Nội', 'Kon Tum
    # province'), as the asker wrote them ('Chiềng Yên'): an answer from a document that never names
    # one, whole, is about another place ('Chiềng An' and 'Phù Yên' are not 'Chiềng Yên').
    place_names: tuple[str, ...] = ()
    # Every Vietnamese province or centrally-run city the message names, its story included
    # ('We export shrimp from Nghe An ...'): which provincial documents it may be about (retrieval).
    provinces: tuple[str, ...] = ()
    # Names of two words or more the message writes with capitals ('Vinh - Thanh Thuy', 'Lion Air'),
    # its story included: a name only documents in the other language write says which they are.
    names: tuple[str, ...] = ()
    # Years the ask names outside document numbers ('recorded in 2008'): a document that never
    # writes the year cannot say what happened in it.
    years: tuple[str, ...] = ()
    # What the story counts, as the word after each number ('180 con heo' -> 'con', '10% khả
    # năng' -> '%'): a document's threshold on it ('dưới 150 con') is the condition to check.
    story_units: tuple[str, ...] = ()
    # Words that read the same in documents written in English: the English names and acronyms in a
    # Vietnamese question ('GOV.UK', 'NICS', 'Kentucky'), with the numbers it holds.
    bridge_terms: tuple[str, ...] = ()
    # The ask's words in the other language, from the glossary (qa/glossary.py): English terms of a
    # Vietnamese ask, Vietnamese (folded) terms of an English one.
    translated_terms: tuple[str, ...] = ()
    # The words of the asking sentence itself when it is short and leans on its story ('When does
    # the consultation close?' after 'We want to respond to Defra's consultation on ...'): the
    # story's words are searched with it, but these say which sentence answers. Empty otherwise.
    leaning_terms: tuple[str, ...] = ()
    # The members of closed groups the question names, by group: which health worker ('dược sĩ'),
    # which council ('HĐND'). A passage that names another member of the group and not this one
    # answers for a sibling (see `siblings_named`).
    siblings: frozenset[tuple[str, str]] = frozenset()

    def __str__(self) -> str:
        return self.text

    @property
    def asks_about_something(self) -> bool:
        """Whether the ask names anything beyond who is asking and what it points at: 'tôi', 'Which
        ones do?' and 'What can I use it for?' do not, whatever a passage shares with them."""
        return bool(self.doc_numbers) or any(t not in _PLACEHOLDERS for t in self.content_terms + self.context_terms)

    @property
    def places(self) -> tuple[frozenset[str], ...]:
        """The places as term sets ('Khanh Hoa' in a table cell)."""
        return tuple(dict.fromkeys(frozenset(terms(name)) for name in self.place_names))


def _unaccented_vietnamese(text: str, folded: str) -> bool:
    """Vietnamese typed without its marks: no diacritics, and almost every word reads as a
    Vietnamese syllable (English words rarely do: 'how', 'many', 'industrial')."""
    if has_diacritics(text):
        return False
    words = [w for w in re.findall(r"[a-z]+", DOC_NUMBER.sub(" ", folded)) if len(w) > 1 or w in "aoy"]
    if sum(w in _VIETNAMESE_HINTS for w in words) >= max(2, len(words) // 3):
        return True
    syllables = sum(VIETNAMESE_SYLLABLE.fullmatch(w) is not None for w in words)
    return len(words) >= 3 and syllables >= 0.85 * len(words)


# A document's reference asked for ('What is the number of the conclusion ...?', 'số hiệu'): not a
# quantity, and the value is exactly what a quantity check would set aside.
_REFERENCE_QUESTION = re.compile(
    r"\b(?:what|which) (?:is|was) the (?:document |reference )?number of\b|\bso hieu\b|\bso ky hieu\b|\bmang so\b"
)


def _answer_type(folded: str) -> AnswerType | None:
    if _REFERENCE_QUESTION.search(folded):
        return None
    date, number = _DATE_QUESTION.search(folded), _NUMBER_QUESTION.search(folded)
    if date and number:
        # The ask comes first: in 'how many followers did the account have when it was handed
        # over?' the 'when' only dates the count.
        return "date" if date.start() < number.start() else "number"
    if date:
        return "date"
    # 'tỷ lệ' alone names a rate the question may only mention: in 'ai là người dẫn đầu cuộc rà
    # soát 14 quỹ có tỷ lệ tử vong cao?' the ask is who.
    named_rate_only = number is not None and number.group(1) == "ty le" and not any(
        m.group(1) != "ty le" for m in _NUMBER_QUESTION.finditer(folded))
    if number and not named_rate_only:
        return "number"
    if _ORGANISATION_QUESTION.search(folded):
        return "organisation"
    if _PERSON_QUESTION.search(folded):
        return "person"
    return "number" if number else None


# A sentence ends at '.', '?' or '!' followed by a space: 'TP.HCM' and '1.5' go on, and so does a
# trailing-off '...' before a lower-case word ('công chứng, luật sư... có hiệu lực từ ngày nào').
# Nor does an abbreviation end one: 'U.S. operators', '(Rev. December 2010)', 'e.g. a fee'.
# ('U.S. How many ...' does end one.)
_ABBREVIATION_END = (r"(?<![A-Z]\.[A-Z]\.(?=\s[a-z]))(?<!\b[eg]\.(?=\s[a-z]))(?<!\b[Rr]ev\.)(?<!\b[Nn]o\.(?=\s*\d))(?<!\bDr\.)(?<!\bMr\.)"
                     r"(?<!\bMs\.)(?<!\bSt\.)(?<!\bvs\.)(?<!\bMrs\.)(?<!\bCo\.)(?<!\bInc\.)(?<!\bLtd\.)(?<!\bSec\.)(?<!\bArt\.)"
                     r"(?<!\bDept\.)")
_SENTENCE = re.compile(r".+?(?:(?:(?<!\.)[.?!]+|\.{3,}|…)(?=\s|$)(?<!\.\.\.(?=\s[a-zà-ỹđ]))(?<!…(?=\s[a-zà-ỹđ]))" + _ABBREVIATION_END
                       + r"|$)")
_ASKING = re.compile(
    r"\b(what|which|who|whom|whose|when|where|why|how|is|are|does|do|did|can|could|should|must|will|may|"
    r"bao nhieu|bao lau|gi|nao|ai|dau|khong|chua|the nao|ra sao|nhu the nao|co phai|hay khong)\b"
)


# An ask that points back into its story: 'Thủ tục này ...', 'in that list', 'under that plan',
# 'her wages'. What it is about is said only in the story, so the story is searched and scored too.
_REFERS_TO_STORY = re.compile(
    r"\b(?:thủ tục|giấy phép|chứng chỉ|văn bản|quyết định|kế hoạch|chính sách|trường hợp|danh mục|việc|xã|phường|tỉnh|huyện|"
    r"thành phố|địa phương|khu vực|cơ sở|trại)(?: \w+){0,2} (?:này|đó|ấy|trên)\b|"
    r"\b(?:this|that|these|those|such) (?:\w+ )?(?:plan|list|procedure|document|page|guide|report|programme|program|rule|"
    r"certificate|permit|licen[cs]e|scheme|decision|law|table|case|project|one|province|city|commune|district|county|state|"
    r"town|village|area)\b|\bthe (?:province|city|commune|ward|district|county|town|village)\b|\b(?:her|his|their|them|its)\b|\bit\W*$",
    re.IGNORECASE,
)


# A yes/no ask ('Will FDA generally accept that ...?', '... có được ... không?') is asked of the
# story's situation.
_YES_NO_ASK = re.compile(r"^(?:will|would|can|could|does|do|did|is|are|was|were|may|must|should|has|have)\b|.*\b(?:co|duoc) .+ (?:khong|chua)\W*$")


def asks_yes_or_no(ask: str) -> bool:
    return _YES_NO_ASK.match(fold(ask)) is not None


# Words that stand for someone or something without naming it (folded and stemmed, as terms()
# gives them), and verbs too general to ask about anything alone. Not the Vietnamese pronouns that
# fold onto other words ('bạn' onto 'ban hành', 'anh' onto 'Anh', 'nó' onto 'nợ').
_PLACEHOLDERS = frozenset("toi i me my we us our you your it its one they them this that these those use do get have make".split())
# The asker in the ask ('tôi được hỗ trợ bao nhiêu', 'do I qualify'): the story says who they are.
_ASKER = re.compile(r"\b(?:tôi|chúng tôi|mình|[Gg]ia đình|I|me|my|we|us|our)\b")
# Not the asker's courtesy: 'Cho tôi hỏi ...', 'I'd like to know ...', 'Can you tell me ...'.
_ASKING_FOR_LEAVE = re.compile(
    r"\b(?:(?:xin )?cho (?:tôi|em|mình) (?:hỏi|biết)|(?:tôi|em|mình) (?:muốn|xin|cần) (?:hỏi|biết)|I(?:'d| would) like to know|"
    r"I (?:want|need) to know|(?:can|could) you tell me|tell me|I wonder)\b", re.IGNORECASE)


def split_ask(text: str) -> tuple[str, str]:
    """(story, ask): the sentences that ask (end in '?' or open with a question word) from the end
    of the message backwards; everything before them is the story. When the message goes on after
    its last question ('... bao nhiêu tỷ đồng? Tôi hỏi vì nhà tôi ở Nam Đàn.'), what follows is
    story too."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    if len(sentences) <= 1:
        return "", text
    last = len(sentences) - 1
    if not (sentences[-1].endswith("?") or _ASKING.search(fold(sentences[-1]))):
        asked = [i for i, sentence in enumerate(sentences) if sentence.endswith("?")]
        if not asked:
            return "", text
        last = asked[-1]
    first_ask = last
    while first_ask > 0 and (sentences[first_ask - 1].endswith("?") or _opens_with_question(sentences[first_ask - 1])):
        first_ask -= 1
    story = sentences[:first_ask] + sentences[last + 1 :]
    return " ".join(story), " ".join(sentences[first_ask : last + 1])


def _opens_with_question(sentence: str) -> bool:
    return re.match(r"(what|which|who|when|where|why|how)\b", fold(sentence)) is not None


# Vietnam's provinces and centrally-run cities, before and after the 2025 mergers, folded.
PROVINCE_NAMES = frozenset(name.strip() for name in """
an giang; ba ria vung tau; bac giang; bac kan; bac lieu; bac ninh; ben tre; binh dinh; binh duong; binh phuoc;
binh thuan; ca mau; can tho; cao bang; da nang; dak lak; dak nong; dien bien; dong nai; dong thap; gia lai; ha giang;
ha nam; ha noi; ha tinh; hai duong; hai phong; hau giang; hoa binh; hung yen; khanh hoa; kien giang; kon tum; lai chau;
lam dong; lang son; lao cai; long an; nam dinh; nghe an; ninh binh; ninh thuan; phu tho; phu yen; quang binh;
quang nam; quang ngai; quang ninh; quang tri; soc trang; son la; tay ninh; thai binh; thai nguyen; thanh hoa; hue;
thua thien hue; tien giang; tra vinh; tuyen quang; vinh long; vinh phuc; yen bai; ho chi minh
""".split(";"))
_PROVINCE_ALTERNATIVES = "|".join(sorted(map(re.escape, PROVINCE_NAMES), key=len, reverse=True))
_A_PROVINCE = re.compile(rf"\b(?:{_PROVINCE_ALTERNATIVES})\b")
_NAMED_AS_PROVINCE = re.compile(
    rf"\b(?:tinh|thanh pho|province of|city of) (?:{_PROVINCE_ALTERNATIVES})\b|\b(?:{_PROVINCE_ALTERNATIVES}) (?:province|provincial|city)\b")
_CAPITALISED_RUN = re.compile(r"\b[A-ZĐ][\wÀ-ỹ]*(?:[ \t–-]+[A-ZĐ][\wÀ-ỹ]*)*")
# A run that opens with a family name is a person ('Trần Thái Bình', 'Mr. Tran Thai Binh'), not a place.
_FAMILY_NAMES = frozenset("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh truong mai lam".split())


def _provinces_in(text: str) -> tuple[str, ...]:
    """The provinces a text names, as it writes them: a run of capitalised words that is, or holds,
    a province's name ('Nghe An', 'Quảng Trị', 'Hue')."""
    found: list[str] = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group(0).replace("–", " ").replace("-", " ").split()
        folded = fold(" ".join(words)).split()
        if len(folded) > 2 and folded[0] in _FAMILY_NAMES and not any(
                " ".join(folded[:n]) in PROVINCE_NAMES for n in (2, 3, 4)):
            continue  # 'Trần Thái Bình' is a person; 'Hồ Chí Minh City' is the city
        at = 0
        while at < len(words):
            size = next((n for n in (4, 3, 2, 1) if " ".join(folded[at : at + n]) in PROVINCE_NAMES and at + n <= len(words)), 0)
            if size:
                found.append(" ".join(words[at : at + size]))
            at += size or 1
    return tuple(dict.fromkeys(found))


# The words that open a sentence or a phrase before a name ('According to ...', 'In Kon Tum province').
_OPENING_WORDS = "in the for at of to from on by and under according what how which where when who is are does do".split()
_NOT_A_NAME = frozenset([*_OPENING_WORDS, *"can could should would will may i my we our if as after before".split()])


def _names_in(text: str) -> tuple[str, ...]:
    """The runs of two capitalised words or more, without the sentence's opening words ('According
    To', 'What'), as the text writes them."""
    found: list[str] = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = run.group(0).split()
        while words and words[0].lower() in _NOT_A_NAME:
            words.pop(0)
        if len([w for w in words if w not in "–-"]) >= 2:
            found.append(" ".join(words))
    return tuple(dict.fromkeys(found))


_PLACE = re.compile(
    r"\b(?i:tỉnh|thành phố|xã|phường|huyện|quận|thị xã|thị trấn|province of|city of)\s+((?:[A-ZĐ][\wÀ-ỹ]*\s?){1,4})"
    r"|((?:(?!(?:" + "|".join(word.capitalize() for word in _OPENING_WORDS) + r")\s)"
    r"[A-ZĐ][\wÀ-ỹ]*\s){1,4})(?:province|city|commune|ward|district)\b"
)

# The same, typed without diacritics ('xa Muong La tinh Son La'); only then, as 'quan' and 'xa' are
# other words in marked Vietnamese ('cơ quan Nhà nước'); and of two words or more ('co quan Nha
# nuoc' names no place 'Nha').
_UNACCENTED_PLACE = re.compile(
    r"\b(?i:tinh|thanh pho|xa|phuong|huyen|quan|thi xa|thi tran)\s+([A-ZĐ]\w*\s(?:[A-ZĐ]\w*\s?){1,3})|(?!)()"
)


def _bridge_terms(text: str, language: Language) -> tuple[str, ...]:
    """Question.bridge_terms: the words of a Vietnamese question that are not Vietnamese syllables."""
    if language != "vi":
        # An English question's Vietnamese names ('Nha Trang', 'Vinh') are common syllables in
        # Vietnamese text: they find the passages that mention the place, not the answer. Measured:
        # the sample questions lost three refusals and an answer to them.
        return ()
    plain = DOC_NUMBER.sub(" ", text)
    words = [w for w in re.findall(r"\b[A-Za-z][A-Za-z0-9]*\b", plain) if len(w) > 1 and VIETNAMESE_SYLLABLE.fullmatch(w.lower()) is None]
    numbers = re.findall(r"\b\d[\d.,]*\b", plain)
    return tuple(dict.fromkeys(terms(" ".join(words + numbers)))) if words else ()


# A year, not an amount: 'in 2008', but not 'mức phạt 2000 đồng' or '2000 km'.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b(?![.,]\d)(?!\s*(?:đồng|đ\b|VND|USD|km|m2|ha|tấn|người|triệu|tỷ|nghìn|dollars?|%))", re.IGNORECASE)
# A year that dates the document the question names, not what it asks about: 'the FDA's 2009
# guidance', 'the FDA's 2009 PRO guidance', 'the USGS 2011 summary' (an excerpt may not print its
# own date).
_DATING_YEAR = re.compile(
    r"\b(?:19|20)\d\d\s+(?:\w+\s+)?(?:guidance|report|summary|summaries|notice|address|speech|booklet|guide|page|post|"
    r"resolution|decision|decree|circular|law|plan|proposal|proposed|rule|directive|edition|update|consultation)\b",
    re.IGNORECASE,
)


_PERIOD = re.compile(rf"\b({MONTH}),? ((?:19|20)\d\d)\b")


# Where a second ask starts: 'and' / 'và' / a comma, then a question word within a few words
# ('... dài bao nhiêu km và có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng?').
_SECOND_ASK = re.compile(
    # A Vietnamese ask ends with its question word, so it may come twelve words after 'và'.
    r",?\s+and\s+(?=(?:[^\s,]+\s+){0,8}?(?:what|which|how|when|who)\b)|"
    r",?\s+(?:và|va)\s+(?=(?:[^\s,]+\s+){0,12}?(?:what|which|how|when|who|bao nhiêu|bao lâu|ngày nào|năm nào|khi nào|mức nào|"
    r"lúc nào|bao giờ|thế nào|là gì|ở đâu|ai|\w+ cũ nào|bao nhieu|bao lau|ngay nao|nam nao|khi nao|muc nao|luc nao|bao gio|"
    r"the nao|la gi|o dau)\b)|"
    # or a yes-or-no ask: '... and is there a fee?', '... và có mất phí không?'
    r",?\s+(?:and|và)\s+(?=(?:is|are|does|do|did|can|must|will|has) (?:there|it|they|this|that|a|an|the)\b|"
    r"(?:có|phải) (?:[^\s,]+\s+){0,6}?không\W*$)|"
    r",\s+(?=(?:what|which|how|when|who)\b)",
    re.IGNORECASE,
)
_ASKS_SOMETHING = re.compile(
    r"\b(?:what|which|how|when|who|where|bao nhieu|bao lau|nao|gi|ai|o dau)\b|"
    # A yes-or-no ask: '... có phải kê khai bổ sung không', 'Is a licence required'.
    r"\b(?:co|phai)\b.*\b(?:khong|chua)\W*$|^\W*(?:is|are|does|do|did|can|must|should|will|may|has|have)\b"
)


def _asks_of(ask: str) -> list[str]:
    """The asks in one question sentence, each holding a question word ('which provinces and
    cities merge' stays one); [ask] when it asks one thing."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in _SECOND_ASK.finditer(ask):
        if _ASKS_SOMETHING.search(fold(ask[start : cut.start()])):
            spans.append((start, cut.start()))
            start = cut.end()
    if spans and not _ASKS_SOMETHING.search(fold(ask[start:])):
        start = spans.pop()[0]  # the tail asks nothing of its own: it belongs to the ask before it
    spans.append((start, len(ask)))
    return [ask[a:b].strip(" ,?") for a, b in spans] if 2 <= len(spans) <= 3 else [ask]


# A number and what it counts, folded ('180 con', '10%', '1,2 ty', 'six staff'); not a year.
_STORY_COUNT = re.compile(r"(?<![\d/])(?!(?:19|20)\d\d\b)\d[\d.,]*\s*(%|[a-z]+)")


# How people say a period, and the one word a table writes for it ('we pay him every two weeks'
# is the row 'Biweekly 80.80').
_PERIODS = tuple((re.compile(pattern), word) for pattern, word in (
    (r"\b(?:every (?:two|2|other) weeks?|fortnightly|bi-weekly)\b", "biweekly"),
    (r"\b(?:twice (?:a|per) month|twice monthly|semi-monthly)\b", "semimonthly"),
    (r"\b(?:twice (?:a|per) year|every six months|semi-annually)\b", "semiannually"),
    (r"\b(?:every|each|per|once a) week\b", "weekly"),
    (r"\b(?:every|each|per|once a) month\b", "monthly"),
    (r"\b(?:every|each|per|once a) quarter\b", "quarterly"),
    (r"\b(?:every|each|per|once a) year\b", "annually"),
))


def _periods_in(folded: str) -> list[str]:
    """The table word of each period the folded text says in other words."""
    return [word for pattern, word in _PERIODS if pattern.search(folded)]


def _with_periods(folded: str) -> str:
    return " ".join([folded, *_periods_in(folded)])


# Groups whose members stand in the same place in a sentence: a salary row for 'bác sĩ' is not
# one for 'dược sĩ', a council's resolution is not the committee chairman's decision, revoking a
# licence is not re-issuing it. Folded, each spelling (Vietnamese, without marks, English) with the
# member it names, as a Vietnamese document writes it (searched for in the document).
_SIBLING_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "health worker": (
        (r"bac si|doctors?|physicians?", "bac si"), (r"duoc si|pharmacists?", "duoc si"), (r"y si", "y si"),
        (r"dieu duong|nurses?", "dieu duong"), (r"ho sinh(?! thai)|midwi(?:fe|ves)", "ho sinh"),
    ),
    "council": (
        (r"hoi dong nhan dan|hdnd|people['’]?s? councils?", "hdnd"), (r"uy ban nhan dan|ubnd|people['’]?s? committees?", "ubnd"),
    ),
    # As land, not as a department ('Sở Nông nghiệp') or a loss ('mất nước' folds as 'mặt nước' does).
    "land use": (
        (r"dat (?:su dung vao muc dich )?nong nghiep|(?<!non-)(?<!non )agricultural land", "nong nghiep"),
        (r"dat (?:su dung vao muc dich )?phi nong nghiep|non-?\s?agricultural land", "phi nong nghiep"),
        (r"dat (?:co )?mat nuoc|thue mat nuoc|water[- ]surface", "mat nuoc"),
        (r"khu cong nghiep|industrial (?:parks?|zones?)", "khu cong nghiep"),
        (r"cum cong nghiep|industrial clusters?", "cum cong nghiep"), (r"cong trinh ngam|underground", "cong trinh ngam"),
    ),
    # Of a licence or a certificate: 'thu hồi đất' recovers land, 'các cấp, các ngành' are levels.
    "licence action": (
        (r"thu hoi (?:giay|chung chi)|revok(?:e|es|ed|ing)|revocation", "thu hoi"), (r"cap lai|re-?issu(?:e|es|ed|ing|ance)", "cap lai"),
        (r"gia han|extension of|renew(?:al|als|s|ed|ing)?(?! ?able)|extend(?:s|ed|ing)? (?:(?:a|an|the|its|their) )?(?:\w+ ){0,2}?"
         r"(?:licen[cs]es?|permits?|certificates?)", "gia han"),
        (r"cap (?:moi )?(?:giay|chung chi)|(?<!cac )cap(?=\s*,\s*(?:gia han|cap lai|cap doi|thu hoi))|(?<!re-)(?<!re)"
         r"issu(?:e|es|ed|ing|ance) (?:of )?(?:a |an |the )?(?:\w+ ){0,3}?(?:licen[cs]es?|permits?|certificates?)", "cap giay"),
    ),
}
_SIBLING_PATTERNS = {
    group: [(re.compile(rf"\b(?:{spelling})\b"), member) for spelling, member in members]
    for group, members in _SIBLING_GROUPS.items()
}
# A council that only names the document asked about: 'Nghị quyết 73/2025/NQ-HĐND (ngày 10/12/2025)
# của HĐND TP.HCM', 'Under HCMC People's Council Resolution 73/2025'.
_ISSUING_COUNCIL = re.compile(
    r"(?:\[doc\]\s*(?:ngay\s+\d{1,2}(?:\s*(?:/|thang)\s*\d{1,2})?(?:\s*(?:/|nam)\s*\d{4})?\s*)?(?:,\s*)?(?:cua|of)\s+(?:the\s+)?"
    r"(?:[\w.]+\s+){0,2}?(?:hoi dong nhan dan|hdnd|uy ban nhan dan|ubnd|people['’]?s? council|people['’]?s? committee))|"
    r"(?:(?:people['’]?s? council|people['’]?s? committee)\s+(?:resolution|decision)\s*(?:no\.?\s*)?\[doc\])"
)
# Ho Chi Minh City as people write it.
_HO_CHI_MINH = re.compile(r"\b(?:tp\.?\s?hcm|tphcm|hcmc|sai gon|saigon)\b")


# Years that are not one year a value is asked for: a range ('between 2000 and 2008', '2021-2030',
# 'from 2005 through 2008') or a horizon ('to 2030', 'đến năm 2030')...
_SPANNED_YEARS = re.compile(
    r"(?:between|from|tu|giua)\s+(?:nam\s+)?(?:19|20)\d\d\s+(?:and|to|through|den|va)\s+(?:nam\s+)?(?:19|20)\d\d|"
    r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d|"
    r"\b(?:to|until|by|through|den|toi|tam nhin|vision)\s+(?:nam\s+)?(?:19|20)\d\d"
)
# ...and, in a question or a passage, the year of a cited document ('241/QĐ-UBND năm 2026', '...
# ngày 10/12/2025', 'Luật Đất đai 2024').
_CITED_YEARS = re.compile(
    r"\[doc\]\s*(?:\(|,|nam|of)?\s*(?:ngay\s+\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*)?(?:19|20)\d\d|"
    r"\b(?:luat|law|act|bo luat|code)\s+(?:\w+\s+){0,3}?(?:19|20)\d\d"
)


def _province_names(text: str) -> frozenset[str]:
    """The provinces a text names, folded: as names ('Hòa Bình', not 'hòa bình'), or Ho Chi Minh City
    as people write it ('TP.HCM')."""
    names = {fold(name) for name in _provinces_in(DOC_NUMBER.sub(" ", text))}
    return frozenset(names | ({"ho chi minh"} if _HO_CHI_MINH.search(fold(text)) else set()))


def years_named(text: str, spans: bool = True) -> frozenset[str]:
    """The years a text names, outside a document's number and a cited document's year, and not a
    count or an amount ('2015 người', '2000 đồng': read unfolded). `spans`: with the years of a
    range or a horizon (a passage 'from 2005 through 2008' speaks of 2008; a question does not ask
    of one year)."""
    plain = DOC_NUMBER.sub(" [doc] ", " ".join(text.split()))
    left_out = [_CITED_YEARS] if spans else [_CITED_YEARS, _SPANNED_YEARS]
    not_one = {year for pattern in left_out for m in pattern.finditer(fold(plain)) for year in re.findall(r"(?:19|20)\d\d", m.group(0))}
    return frozenset(year for year in _YEAR.findall(plain) if year not in not_one)


@lru_cache(maxsize=16384)
def siblings_named(text: str) -> frozenset[tuple[str, str]]:
    """The (group, member) pairs a text names, outside document numbers and the council that
    issued a document it cites, with its years (years_named)."""
    plain = " ".join(fold(text).split())
    plain = _HO_CHI_MINH.sub("ho chi minh", _ISSUING_COUNCIL.sub(" ", DOC_NUMBER.sub("[doc]", plain)))
    # Said to be a province ('Kon Tum province', 'tỉnh Quảng Ngãi'), a sentence is about it and any
    # other it names.
    provinces = _province_names(text) if _NAMED_AS_PROVINCE.search(plain) else frozenset()
    return frozenset([*((group, member) for group, patterns in _SIBLING_PATTERNS.items()
                        for pattern, member in patterns if pattern.search(plain)),
                      *(("province", name) for name in provinces),
                      *(("year", year) for year in years_named(text))])


@lru_cache(maxsize=4096)
def parse_question(text: str) -> Question:
    text = " ".join(text.split())
    story, ask = split_ask(text)
    asks = _asks_of(ask)
    own_terms = [t for t in terms(_QUESTION_PHRASE.sub(" ", fold(DOC_NUMBER.sub(" ", ask)))) if not t.isdigit()]
    leans_on_story = bool(story) and len(own_terms) < 5
    points_into_story = bool(story) and not leans_on_story and (
        _REFERS_TO_STORY.search(ask) is not None or _ASKER.search(_ASKING_FOR_LEAVE.sub(" ", ask)) is not None
        or asks_yes_or_no(ask))
    leaning_terms: tuple[str, ...] = ()
    if leans_on_story:
        leaning_terms = tuple(own_terms)
        ask = text
        story = ""
    # A period the story tells ('we pay staff every two weeks') is the row the ask wants.
    story_periods = _periods_in(fold(story))
    # An ask that points into its story is scored on its own words first, then the story's.
    context_terms = tuple(t for t in terms(_QUESTION_PHRASE.sub(" ", " ".join([fold(story), *story_periods]))) if not t.isdigit()
                          ) if points_into_story else ()
    folded = fold(ask)
    asked_words = _QUESTION_PHRASE.sub(" ", _with_periods(folded))
    unaccented_vi = _unaccented_vietnamese(text, fold(text))
    # A document number's letters ('23/2025/NQ-HĐND') do not make an English question Vietnamese,
    # nor does a place it names ('... non-agricultural land in Xã Sốp Cộp?').
    marked = VIETNAMESE_LETTERS.search(DOC_NUMBER.sub(" ", text)) is not None
    language: Language = "vi" if unaccented_vi or language_of(text) == "vi" or (marked and len(text.split()) < 6) else "en"
    focus = _PLURAL_FOCUS.search(folded) or _FOCUS.search(folded)
    if focus and _QUESTION_PHRASE.fullmatch(focus.group(1)):
        focus = None  # 'what was the deadline for comments' is about the comments
    # Not a title in quotes ('Your Federal Student Loans'): a term is written in lower case.
    quoted = next((m for m in _QUOTED_TERM.finditer(ask) if not any(w[:1].isupper() for w in m.group(1).split()[1:])), None)
    # A document's reference is not a name: 'NQ-HĐND TP.HCM' would pair 'HĐND' with 'TP'.
    unreferenced = DOC_NUMBER.sub(" ", ask).strip()
    pairs: list[frozenset[str]] = []
    # Nor is a title in quotes ('Your Federal Student Loans'): it names the document, which its
    # answering sentence need not repeat.
    for phrase in _NAME_PHRASE.findall(_QUOTED_TITLE.sub(" ", unreferenced)):
        words = phrase.split()
        pairs += [found for a, b in zip(words, words[1:], strict=False) if (found := frozenset(terms(f"{a} {b}")))]
    story_names = [t for name in _NAME_PHRASE.findall(story) for t in terms(name)]
    answer_type = _answer_type(folded)
    unit, unit_heading = _unit(folded) if answer_type == "number" else (None, None)
    years = tuple(dict.fromkeys(_YEAR.findall(_DATING_YEAR.sub(" ", unreferenced))))
    provinces = _provinces_in(DOC_NUMBER.sub(" ", text))
    return Question(
        text=text,
        ask=ask,
        story=story,
        search_text=text if points_into_story else ask,
        folded=folded,
        terms=tuple(terms(asked_words)) + (context_terms or (*story_names, *terms(" ".join(story_periods)))),
        language=language,
        unaccented_vietnamese=unaccented_vi,
        answer_type=answer_type,
        wants_list=_LIST_QUESTION.search(folded) is not None,
        wants_definition=_DEFINITION_QUESTION.search(folded) is not None,
        wants_day=answer_type == "date" and _DAY_QUESTION.search(folded) is not None,
        unit=unit,
        unit_heading=unit_heading,
        focus=frozenset(terms(focus.group(1) if focus else quoted.group(1) if quoted else "")),
        content_terms=tuple(terms(" ".join([asked_words, *story_periods]))),
        context_terms=context_terms,
        name_pairs=tuple(pairs),
        name_words=tuple(_NAME_WORD.findall(unreferenced)),
        # The document may be named in the story ('Under Circular 66/2025/TT-BXD, my boat ... Can I ...?').
        doc_numbers=frozenset(m.group(0) for m in DOC_NUMBER.finditer(fold(text))),
        short_citations=frozenset(m.group(1) for m in _SHORT_CITATION.finditer(fold(text))),
        parts=tuple(parse_question(a) for a in asks) if len(asks) > 1 else (),
        periods=tuple(dict.fromkeys(frozenset(terms(m.group(1))) for m in _PERIOD.finditer(fold(unreferenced)))),
        bridge_terms=_bridge_terms(text, language),
        # Not from Vietnamese without its marks: folded, 'khóa học' (a course) is 'khoa học' (science).
        translated_terms=() if unaccented_vi else translate(_QUESTION_PHRASE.sub(" ", DOC_NUMBER.sub(" ", ask)), language),
        # 'Which province ...' names no place: a name of stopwords only is none.
        # And a place the ask points back to ('ở xã này') is the story's.
        place_names=tuple(dict.fromkeys(name for m in (_UNACCENTED_PLACE if unaccented_vi else _PLACE).finditer(
            DOC_NUMBER.sub(" ", text) if points_into_story else unreferenced)
                                        if terms(name := " ".join((m.group(1) or m.group(2)).split())))),
        provinces=provinces,
        names=_names_in(DOC_NUMBER.sub(" ", text)),
        years=years,
        leaning_terms=leaning_terms,
        # Which body is asked for names none: 'cơ quan nào của UBND tỉnh' asks for a department.
        siblings=frozenset(pair for pair in siblings_named(text) if pair[0] not in ("province", "year")
                           and not (answer_type == "organisation" and pair[0] == "council")) | frozenset(
            ("year", year) for year in years_named(ask, spans=False) if year in years and answer_type != "date") | frozenset(
            # The provinces the ask names: a story's home province ('Tôi quê Nghệ An') is not asked about.
            ("province", name) for name in _province_names(ask)),
        story_units=tuple(dict.fromkeys(m.group(1) for m in _STORY_COUNT.finditer(fold(DOC_NUMBER.sub(" ", story))))),
    )
