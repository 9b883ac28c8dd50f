"""Answers read from a document's anatomy rather than from sentence matching: who signed it, when
it was issued and when it takes effect, its number and its issuing body, and which documents were
issued in a year. Each quotes the line of the document the value was read from, so it is checked
like any other answer, and each is written in the question's language.

The document is the one the question names by number, else the best retrieved one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from qa.answer.base import AnswerRequest, Draft
from qa.answer.citations import CITATION_MARK, cite, inline_quote
from qa.answer.extractive import naming_terms
from qa.index.store import ChunkStore
from qa.question import Question
from qa.results import Citation, Retrieved
from qa.text import fold, sentence_spans
from qa.types import Chunk, DocumentInfo

BACKEND = "extractive"


class TextAnswerer(Protocol):
    def draft(self, request: AnswerRequest) -> Draft: ...


_BY_YEAR = re.compile(
    r"\b(?:which|what|list)\b.*\b(?:documents?|resolutions?|conclusions?|decisions?|plans?|texts?|news|articles?)\b"
    r".*\b(?:issued|published|dated|adopted|signed)\b.*\b((?:19|20)\d\d)\b"
    r"|\bvan ban nao\b.*\b(?:ban hanh|ky)\b.*\b((?:19|20)\d\d)\b"
)
# What a question asks of a document, in English and Vietnamese (folded), by anatomy field.
_ASKS: list[tuple[str, re.Pattern[str]]] = [
    ("signer", re.compile(r"\bwho (?:signed|signs)\b|\bsigned by\b|\bsignator|\bsigner\b|\bai ky\b|\bnguoi ky\b|\bnao ky\b|"
                          r"\bdo ai\b.*\bky\b|\bky boi\b")),
    ("effective", re.compile(r"\b(?:take|takes|took) effect\b|\bcomes? into (?:force|effect)\b|\beffective\b|\bin force\b|"
                             r"\bco hieu luc\b|\bhieu luc (?:thi hanh|tu|ke tu)\b|\bhieu luc\b.*\b(?:khi nao|ngay nao|tu ngay nao)\b|"
                             r"\b(?:bat dau )?ap dung (?:tu|ke tu) (?:ngay|khi)\b|\b(?:start|begin)s? to apply\b|\bappl(?:y|ies) from\b")),
    ("issuer", re.compile(r"\b(?:which|what) (?:\w+ )?(?:body|authority|agency|organi[sz]ations?|department|ministry|office)\b.*"
                          # The body's own verb: issuing done by the body asked about ('which body handles
                          # the issuance of certificates', 'which body issues certificates') is not the
                          # document's issuer.
                          r"\b(?:issued|publish|publishes|published|is behind|produced|produces)\b|"
                          r"\bwho (?:issued|issues|publishes|published|is behind)\b|"
                          r"\bwho is (?:the |this |that )?.{0,80}\bfrom\b|"
                          r"\bco quan nao\b.*\bban hanh\b|\bdo co quan nao(?: ban hanh| ky)?\W*$|\bai ban hanh\b")),
    ("issued", re.compile(r"\b(?:when|what date|which date)\b.*\b(?:issued|dated|adopted|signed|published)\b|"
                          r"\b(?:ban hanh|ky(?! thuat))\b.*\b(?:ngay nao|khi nao|thoi gian nao)\b|\bngay ban hanh\b")),
    ("number", re.compile(r"\bwhat is the (?:document )?number\b|\bso hieu\b|\bso ky hieu\b|\bmang so\b")),
]


# Which documents a document replaces, repeals or amends, asked of it ('Quyết định 421/QĐ-BNNMT
# thay thế quyết định nào?', 'Which resolution was repealed by Resolution 23/2025/NQ-HĐND?'): read
# from the relations stored at ingest (qa/ingest/anatomy.py), each quoted where the document says it.
# Who proposed the document, as its preamble says ('Theo đề nghị của Bộ trưởng Bộ Công an;').
_PROPOSER_ASK = re.compile(
    r"\btheo de nghi cua (?:ai|co quan nao|don vi nao)\b|\bdo (?:ai|co quan nao|don vi nao) de nghi\b|"
    r"\b(?:on|at) (?:the )?(?:proposal|request|recommendation) of (?:whom|which)\b|\bwho proposed\b"
)
_PROPOSER = re.compile(r"^[ \t]*(?:Theo|Xét) đề nghị của ([^;\n]{3,200})", re.MULTILINE | re.IGNORECASE)
_EN_DOCUMENT = r"(?:laws?|decrees?|resolutions?|decisions?|circulars?|documents?|regulations?|directives?|acts?|rules?|plans?)"
_VI_DOCUMENT = r"(?:quyet dinh|nghi dinh|thong tu|nghi quyet|van ban|luat|chi thi|ke hoach|cong van)"
_ASKED_DOCUMENT = rf"\b(?:which|what)(?: \w+){{0,3}} {_EN_DOCUMENT}\b.*"
_RELATION_ASKS: list[tuple[str, re.Pattern[str]]] = [
    # '... thay thế quyết định nào?' and, passive, 'quyết định nào ngày 25/8/2025 bị bãi bỏ?'
    ("replaces", re.compile(rf"\bthay the {_VI_DOCUMENT}(?: so)? nao\b|{_VI_DOCUMENT} nao\b.*\b(?:bi|duoc) thay the\b|{_ASKED_DOCUMENT}\breplac")),
    ("repeals", re.compile(rf"\bbai bo {_VI_DOCUMENT}(?: so| cu)? nao\b|{_VI_DOCUMENT} nao\b.*\bbi bai bo\b|{_ASKED_DOCUMENT}\brepeal")),
    ("amends", re.compile(rf"\bsua doi(?:, bo sung)? {_VI_DOCUMENT}(?: so)? nao\b|{_VI_DOCUMENT} nao\b.*\b(?:bi|duoc) sua doi\b|"
                          rf"{_ASKED_DOCUMENT}\bamend")),
]
# A question that asks which document of a kind did something ('Nghị quyết nào ...', 'which resolution').
_WHICH_DOCUMENT = re.compile(
    r"\bwhich(?: \w+){0,2} (law|decree|resolution|decision|circular|directive|plan|conclusion)s?\b|"
    r"\b(?<!phap )(luat|nghi dinh|nghi quyet|quyet dinh|thong tu|chi thi|ke hoach|ket luan)(?: \w+)? nao\b"
)
_VI_TYPES = {"luat": "law", "nghi dinh": "decree", "nghi quyet": "resolution", "quyet dinh": "decision", "thong tu": "circular",
             "chi thi": "directive", "ke hoach": "plan", "ket luan": "conclusion"}


def _of_asked_type(question: Question, doc: DocumentInfo) -> bool:
    """Whether the document is of the kind the question asks for by 'which resolution' (or says
    nothing of the kind)."""
    asked = _WHICH_DOCUMENT.search(question.folded)
    if asked is None:
        return True
    return doc.doc_type == (asked.group(1) or _VI_TYPES[asked.group(2)])
_RELATION_WORDS = {
    "vi": {"replaces": "thay thế", "repeals": "bãi bỏ", "amends": "sửa đổi, bổ sung"},
    "en": {"replaces": "replaces", "repeals": "repeals", "amends": "amends"},
}
_RELATION_VERBS = {
    "replaces": re.compile(r"\bthay the\b|\breplac"),
    "repeals": re.compile(r"\bbai bo\b|\bhet hieu luc\b|\brepeal"),
    "amends": re.compile(r"\bsua doi\b|\bbo sung\b|\bamend"),
}


def _asked_of_document(question: Question) -> str | None:
    """What of a document the question asks: a relation ('thay thế quyết định nào'), who proposed
    it, or a field of its anatomy; None for anything its text must answer."""
    relation = next((name for name, pattern in _RELATION_ASKS if pattern.search(question.folded)), None)
    if relation is None and _PROPOSER_ASK.search(question.folded):
        relation = "proposer"
    return relation or asked_field(question)


def asked_field(question: Question) -> str | None:
    """Which field of a document's anatomy the question asks for (signer, issuer, ...), if any."""
    return next((name for name, pattern in _ASKS if pattern.search(question.folded)), None)


def _quote_span(chunks: list[Chunk], start: int, end: int, n: int, whole_sentence: bool) -> Citation | None:
    """A citation of document_text[start:end], or of the sentence around it."""
    chunk = next((c for c in chunks if c.start <= start < c.end), None)
    if chunk is None:
        return None
    if whole_sentence:
        span = next((s for s in sentence_spans(chunk.text, offset=chunk.start) if s.start <= start < s.end), None)
        if span is not None:
            start, end = span.start, span.end
    return cite(n, chunk, start, min(end, chunk.end), 1.0)


def _date_vi(iso: str) -> str:
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
           "December")


def _date_en(iso: str) -> str:
    """'2026-03-01' as an English reader writes it: '1 March 2026'."""
    parts = iso.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return iso
    return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"


def _sentence(field: str, doc: DocumentInfo, value: str, language: str) -> str:
    name = doc.doc_number or doc.title
    position = f"{doc.signer_position} " if doc.signer_position else ""
    if language == "vi":
        if field == "effective":
            when = "kể từ ngày ký" if value == "on signing" else f"từ ngày {_date_vi(value)}"
            return f"{name} có hiệu lực {when}"
        return {
            "signer": f"{name} do {position}{value} ký",
            "issuer": f"{name} do {value} ban hành",
            "issued": f"{name} được ban hành ngày {_date_vi(value)}",
            "number": f"Số hiệu văn bản: {value}",
        }[field]
    if field == "effective":
        return f"{name} takes effect {'on signing' if value == 'on signing' else 'on ' + _date_en(value)}"
    return {
        "signer": f"{name} was signed by {position}{value}",
        "issuer": f"{name} was issued by {value}",
        "issued": f"{name} was issued on {_date_en(value)}",
        "number": f"The document's number is {value}",
    }[field]


_NAMING_READ = 5


def _named_by_words(question: Question, retrieved: list[Retrieved], docs: list[DocumentInfo]) -> str | None:
    """The document a question about a document without its number is about: of the first
    retrieved documents, the one whose naming (title, number, issuer) shares the most words with
    the question, in its own language or through the glossary ('the 2025 amendments to the Law on
    Anti-Corruption' is 'Luật Phòng, chống tham nhũng sửa đổi'); the first one on a tie."""
    asked = set(question.content_terms) | set(question.translated_terms)
    by_id = {d.doc_id: d for d in docs}
    order = list(dict.fromkeys(r.chunk.doc_id for r in retrieved if r.chunk.doc_id in by_id))[:_NAMING_READ]

    def shared(doc_id: str) -> int:
        doc = by_id[doc_id]
        return len(naming_terms(f"{doc.title} {doc.doc_number} {doc.issuer}") & asked)

    return max(order, key=lambda d: (shared(d), -order.index(d)), default=None)


def _numbered_from(draft: Draft, first: int) -> tuple[str, list[Citation]]:
    """A draft's text and citations with its citations numbered from `first` ('[1]' becomes '[3]')."""
    shift = first - 1
    text = CITATION_MARK.sub(lambda m: "[" + ", ".join(str(int(n) + shift) for n in m.group(1).split(",")) + "]", draft.text)
    return text, [c.model_copy(update={"n": c.n + shift}) for c in draft.citations]


class MetadataAnswerer:
    """Document questions answered from the anatomy read at ingest. They read the whole index, so
    they stay out of questions restricted by filters or asked of another retriever."""

    backend = BACKEND

    def __init__(self, store: ChunkStore, text: TextAnswerer | None = None) -> None:
        self.store = store
        self.text = text  # the answerer of the asks the anatomy cannot answer, read from the text

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        if not request.whole_index:
            return
        draft = self._answer(request)
        if draft is not None:
            yield draft.text
            yield draft

    def _answer(self, request: AnswerRequest) -> Draft | None:
        question = request.question
        docs = [d for d in self.store.documents() if d.doc_id not in request.hidden]
        by_year = _BY_YEAR.search(question.folded)
        if by_year:
            return self._by_year(docs, by_year.group(1) or by_year.group(2), question)
        field = _asked_of_document(question)
        if field is None:
            return None
        # 'Who signed Circular 1/2026/TT-BNV, and when does it take effect?': each ask of the
        # document's anatomy is answered, in order; an ask of its text ('..., and on what date was
        # Trafford Power CCGT added?') is answered from the text after them.
        asked = [_asked_of_document(part) for part in question.parts]
        asks_text = bool(asked) and not all(asked)
        if asks_text and self.text is None:
            return None
        fields = list(dict.fromkeys(f for f in asked if f is not None)) or [field]
        if question.doc_numbers:
            named = [d for d in docs if d.doc_number and fold(d.doc_number) in question.doc_numbers]
            if len(named) != 1:
                return None  # a document only mentioned in others (or unknown): the extractive answerer reads it
            doc = named[0]
        else:
            top = _named_by_words(question, request.retrieved, docs)
            found = next((d for d in docs if d.doc_id == top), None)
            if found is not None and field not in _RELATION_VERBS and not _of_asked_type(question, found):
                return None  # 'Nghị quyết nào ... ban hành ngày nào?' of a conclusion: another document is asked about
            # Not an administrative document: the extractive answerer reads it, unless the question
            # asks who it is from and its page says so ('From: Skills Funding Agency').
            if found is None or not (found.doc_number or (field == "issuer" and found.span("issuer") is not None)):
                return None
            doc = found
        drafts: list[Draft] = []
        for name in fields:
            draft = self._field(doc, name, question, 1 + sum(len(d.citations) for d in drafts))
            if draft is None:
                return None  # one ask the anatomy cannot answer: the text is read for the whole question
            drafts.append(draft)
        citations = [c for d in drafts for c in d.citations]
        text = "; ".join(d.text for d in drafts)
        if asks_text and self.text is not None and not (rest := self.text.draft(request)).refused:
            text_after, cited_after = _numbered_from(rest, len(citations) + 1)
            return Draft(f"{text}; {text_after}", False, [*citations, *cited_after], rest.evidence, BACKEND,
                         confidence=rest.confidence, signals=rest.signals)
        if len(drafts) == 1:
            return drafts[0]
        return Draft(text, False, citations, 1.0, BACKEND)

    def _field(self, doc: DocumentInfo, field: str, question: Question, number_from: int = 1) -> Draft | None:
        """The answer to one ask of the document's anatomy, its citations numbered from `number_from`."""
        if field in _RELATION_VERBS:
            return self._relation(doc, field, question, number_from)
        if field == "proposer":
            return self._proposer(doc, question, number_from)
        span = doc.span("number" if field == "number" else field)
        if span is None:
            return None
        value, start, end = span
        chunks = self.store.document_chunks(doc.doc_id)
        if field == "signer":
            # The signature block (authority, position, name), as much of it as the chunk holding
            # the name has: a long list of recipients can push its first words into the chunk before.
            holder = next((c for c in chunks if c.start <= start < c.end), None)
            first = next((s for name in ("authority", "position") if (s := doc.span(name)) is not None), None)
            if holder is not None and first is not None and start - first[1] < 200:
                start = max(first[1], holder.start)
        citation = _quote_span(chunks, start, end, number_from, whole_sentence=field in ("effective", "issued"))
        if citation is None:
            return None
        if field == "number":
            value = doc.doc_number
        quote = inline_quote(citation.quote)
        text = f"{_sentence(field, doc, value, question.language)}: “{quote}” [{number_from}]"
        return Draft(text, False, [citation], 1.0, BACKEND)

    def _relation(self, doc: DocumentInfo, relation: str, question: Question, number_from: int = 1) -> Draft | None:
        numbers = [number for kind, number in doc.relations if kind == relation]
        if not numbers:
            return None  # not stored as such: the extractive answerer reads the text
        text = self.store.document_text(doc.doc_id)
        chunks = self.store.document_chunks(doc.doc_id)
        citations: list[Citation] = []
        for number in numbers:  # stored as the document spells it
            for at in (m.start() for m in re.finditer(re.escape(number), text)):
                line_start = text.rfind("\n", 0, at) + 1
                if _RELATION_VERBS[relation].search(fold(text[max(line_start, at - 200) : at])):
                    cited = _quote_span(chunks, at, at + len(number), number_from + len(citations), whole_sentence=True)
                    if cited is not None:
                        citations.append(cited)
                    break
        if not citations:
            return None
        name = doc.doc_number or doc.title
        quotes = " ".join(f"“{inline_quote(c.quote)}” [{c.n}]" for c in citations)
        language = "vi" if question.language == "vi" else "en"
        text_out = f"{name} {_RELATION_WORDS[language][relation]} {', '.join(numbers)}: {quotes}"
        return Draft(text_out, False, citations, 1.0, BACKEND)

    def _proposer(self, doc: DocumentInfo, question: Question, number_from: int = 1) -> Draft | None:
        text = self.store.document_text(doc.doc_id)
        found = _PROPOSER.search(text)
        if found is None:
            return None
        citation = _quote_span(self.store.document_chunks(doc.doc_id), found.start(1), found.end(1), number_from, whole_sentence=True)
        if citation is None:
            return None
        who = " ".join(found.group(1).split()).rstrip(".,")
        name = doc.doc_number or doc.title
        said = f"{name} được ban hành theo đề nghị của {who}" if question.language == "vi" else f"{name} was issued on the proposal of {who}"
        return Draft(f"{said}: “{inline_quote(citation.quote)}” [{number_from}]", False, [citation], 1.0, BACKEND)

    def _by_year(self, docs: list[DocumentInfo], year: str, question: Question) -> Draft | None:
        citations: list[Citation] = []
        for doc in (d for d in docs if d.issued.startswith(year)):
            span = doc.span("issued")
            if span is None:
                continue
            cited = _quote_span(self.store.document_head_chunks(doc, span[2] + 1), span[1], span[2], len(citations) + 1, True)
            if cited:
                citations.append(cited)
        if not citations:
            return None
        lines = [f"{c.title}: “{inline_quote(c.quote)}” [{c.n}]" for c in citations]
        opening = f"Các văn bản ban hành năm {year}: " if question.language == "vi" else f"Documents issued in {year}: "
        return Draft(opening + "; ".join(lines), False, citations, 1.0, BACKEND)
