"""HTML for the conversation, the source cards, the first screen and the documents table; plain text and
Markdown for copy and export.

Every piece of document, model or user text passes through escape(), and nothing here is ever read as
Markdown, so `<img>` and `![p](url)` in a document or a model's answer show as text and load nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import PurePath

from qa.results import Answer, Citation
from qa.types import DocumentInfo
from ui.i18n import t

CONTEXT_CHARS = 300
WELCOME_DOCUMENTS = 8
_MARK = re.compile(r"\[(\d+(?:, ?\d+)*)\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!<>|~])")


@dataclass(frozen=True)
class ShownTurn:
    """One question and its answer as the page shows them; `answer` is None while it is being written."""

    question: str
    answer: Answer | None = None
    partial: str = ""
    rating: int | None = None
    message: str = ""  # a user-facing message instead of an answer (empty question, too long, ...)
    # Per citation, the passage around its quote and where that passage starts in the document.
    contexts: tuple[tuple[str, int], ...] = ()


def file_name(source: str) -> str:
    return PurePath(source.replace("\\", "/")).name


def is_pdf(citation: Citation) -> bool:
    return citation.source.lower().endswith(".pdf") and citation.page is not None


def conversation_html(lang: str, turns: Sequence[ShownTurn], welcome: str) -> str:
    if not turns:
        return welcome
    last = len(turns) - 1
    return "".join(_turn_html(lang, i, turn, open_sources=i == last) for i, turn in enumerate(turns))


def _turn_html(lang: str, i: int, turn: ShownTurn, open_sources: bool) -> str:
    question = (f"<div class='qa-user'><span class='qa-who'>{t(lang, 'you')}</span>"
                f"<div class='qa-text'>{escape(turn.question)}</div></div>")
    if turn.message:
        body = f"<div class='qa-message' role='alert'>{escape(turn.message)}</div>"
    elif turn.answer is None:
        shown = escape(turn.partial) if turn.partial else f"<span class='qa-thinking'>{t(lang, 'thinking')}</span>"
        body = f"<div class='qa-answer qa-streaming' aria-busy='true'>{shown}</div>"
    else:
        body = answer_html(lang, i, turn.answer) + _actions_html(lang, i, turn)
    reply = f"<div class='qa-bot'><span class='qa-who'>{t(lang, 'assistant')}</span>{body}</div>"
    sources = ""
    if turn.answer is not None and not turn.message:
        sources = sources_html(lang, i, turn.answer, turn.contexts, open_sources)
    return f"<section class='qa-turn' id='turn-{i}' aria-label='{t(lang, 'turn', n=i + 1)}'>{question}{reply}{sources}</section>"


def answer_html(lang: str, turn: int, answer: Answer) -> str:
    """The answer: refusals look different; [n] link to this answer's own cards; unsupported sentences marked."""
    if answer.refused:
        note = f"<br><small>{escape(answer.notice)}</small>" if answer.notice else ""
        return f"<div class='qa-refusal'><b>{escape(answer.answer)}</b>{note}</div>"
    if answer.sentences:
        parts = []
        for sentence in answer.sentences:
            text = _link_marks(turn, escape(sentence.text))
            if not sentence.supported:
                missing = ", ".join(sentence.missing) or t(lang, "no_citation")
                title = escape(t(lang, "not_in_sources", what=missing), quote=True)
                text = f"<span class='qa-unsupported' title='{title}'>{t(lang, 'unsupported')} {text}</span>"
            parts.append(text)
        body = " ".join(parts)
    elif rest := answer.more:
        # What answers first; the passages that only add to it under their own label, so the
        # reader does not take a later quote's number for the answer.
        body = (f"<div class='qa-lead'>{_link_marks(turn, escape(answer.lead))}</div>"
                f"<div class='qa-more'><span class='qa-more-label'>{t(lang, 'also')}</span> {_link_marks(turn, escape(rest))}</div>")
    else:
        body = _link_marks(turn, escape(answer.answer))
    notice = f"<div class='qa-notice'>{escape(t(lang, 'note', text=answer.notice))}</div>" if answer.notice else ""
    confidence = (f"<div class='qa-confidence'>{t(lang, 'confidence', value=f'{answer.confidence:.0%}')}</div>"
                  if answer.confidence is not None else "")
    return f"<div class='qa-answer'>{notice}<div class='qa-text'>{body}</div>{confidence}</div>"


def _link_marks(turn: int, escaped: str) -> str:
    def link(mark: re.Match[str]) -> str:
        numbers = [n.strip() for n in mark.group(1).split(",")]
        return "".join(f"<a class='qa-cite' href='#cite-{turn}-{n}'>[{n}]</a>" for n in numbers)

    return _MARK.sub(link, escaped)


def _actions_html(lang: str, turn: int, shown: ShownTurn) -> str:
    assert shown.answer is not None
    copy = (f"<button type='button' class='qa-copy' data-copy='{escape(plain_text(lang, shown.answer), quote=True)}' "
            f"data-done='{escape(t(lang, 'copied'), quote=True)}'>{t(lang, 'copy')}</button>")
    if shown.rating is not None:
        rated = t(lang, "thanks_up" if shown.rating > 0 else "thanks_down")
        return f"<div class='qa-actions'>{copy}<span class='qa-rated' role='status'>{rated}</span></div>"
    comment_id = f"qa-comment-{turn}"
    return (
        f"<div class='qa-actions'>{copy}"
        f"<label class='qa-visually-hidden' for='{comment_id}'>{t(lang, 'comment')}</label>"
        f"<input type='text' class='qa-comment' id='{comment_id}' maxlength='2000' placeholder='{t(lang, 'comment')}'>"
        f"<button type='button' class='qa-rate' data-turn='{turn}' data-rating='1'>{t(lang, 'helpful')}</button>"
        f"<button type='button' class='qa-rate' data-turn='{turn}' data-rating='-1'>{t(lang, 'not_helpful')}</button>"
        "</div>"
    )


def sources_html(lang: str, turn: int, answer: Answer, contexts: Sequence[tuple[str, int]], open_: bool) -> str:
    if answer.refused or not answer.citations:
        return f"<div class='qa-sources qa-refusal-note'>{t(lang, 'refused_sources')}</div>"
    around = list(contexts) + [("", 0)] * (len(answer.citations) - len(contexts))
    cards = "".join(source_card(lang, turn, c, *context) for c, context in zip(answer.citations, around, strict=True))
    return (f"<details class='qa-sources'{' open' if open_ else ''}>"
            f"<summary>{t(lang, 'sources')} ({len(answer.citations)})</summary>{cards}</details>")


def source_card(lang: str, turn: int, citation: Citation, context: str = "", context_start: int = 0) -> str:
    """Title, where the quote is (anatomy path, page, file), the quote in its surrounding text, and buttons
    that open the page image (PDF) or the whole document at the quote in the Source panel."""
    if context:
        rel_start = max(0, citation.start - context_start)
        rel_end = max(rel_start, citation.end - context_start)
        lo, hi = max(0, rel_start - CONTEXT_CHARS), min(len(context), rel_end + CONTEXT_CHARS)
        before = ("…" if lo > 0 else "") + context[lo:rel_start]
        after = context[rel_end:hi] + ("…" if hi < len(context) else "")
    else:
        before = after = ""
    where = [escape(citation.section)] if citation.section and citation.section != citation.title else []
    if citation.page:
        where.append(t(lang, "page", n=citation.page))
    where.append(escape(file_name(citation.source)))
    if not citation.shared:
        where.append(private_mark(lang))
    buttons = []
    if is_pdf(citation):
        buttons.append(f"<button type='button' class='qa-open' data-turn='{turn}' data-n='{citation.n}' data-view='page'>"
                       f"{t(lang, 'show_page')}</button>")
    buttons.append(f"<button type='button' class='qa-open' data-turn='{turn}' data-n='{citation.n}' data-view='text'>"
                   f"{t(lang, 'open_document')}</button>")
    return (
        f"<div class='qa-card' id='cite-{turn}-{citation.n}' tabindex='-1'>"
        f"<div class='qa-card-title'><b>[{citation.n}] {escape(citation.title)}</b></div>"
        f"<div class='qa-card-where'>{' · '.join(where)}</div>"
        f"<div class='qa-context'>{escape(before)}<mark class='qa-quote'>{escape(citation.quote)}</mark>{escape(after)}</div>"
        f"<div class='qa-card-actions'>{''.join(buttons)}</div>"
        "</div>"
    )


def citation_line(lang: str, citation: Citation) -> str:
    where = [citation.section] if citation.section and citation.section != citation.title else []
    if citation.page:
        where.append(t(lang, "page", n=citation.page))
    where.append(file_name(citation.source))
    if not citation.shared:
        where.append(t(lang, "private_doc"))
    return f"[{citation.n}] {citation.title} ({', '.join(where)})"


def plain_text(lang: str, answer: Answer) -> str:
    """What Copy puts on the clipboard: the answer (its lead, then what adds to it), then each
    source with its quote."""
    lines = [answer.as_text(t(lang, "also"))]
    if answer.citations and not answer.refused:
        lines += ["", t(lang, "sources") + ":"]
        lines += [f"{citation_line(lang, c)}: “{c.quote}”" for c in answer.citations]
    return "\n".join(lines)


def markdown_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def conversation_markdown(lang: str, title: str, answers: Sequence[Answer]) -> str:
    """The export: every question, answer and source with its quote, Markdown-escaped so quoted text stays text."""
    out = [f"# {markdown_escape(title)}", ""]
    for answer in answers:
        out += [f"## {t(lang, 'export_heading')}: {markdown_escape(answer.question)}", "",
                f"**{t(lang, 'export_answer')}:** {markdown_escape(answer.lead if answer.more else answer.answer)}", ""]
        if answer.more:  # what adds to the lead, under its own label as on the page
            out += [f"*{t(lang, 'also')}* {markdown_escape(answer.more)}", ""]
        if answer.citations and not answer.refused:
            out += [f"**{t(lang, 'export_sources')}:**", ""]
            for c in answer.citations:
                out += [f"- {markdown_escape(citation_line(lang, c))}", "", f"  > {markdown_escape(' '.join(c.quote.split()))}", ""]
    return "\n".join(out).rstrip() + "\n"


def document_label(doc: DocumentInfo) -> str:
    facts = " ".join(x for x in (doc.doc_type, doc.doc_number, doc.issued) if x)
    return f"{doc.title[:90]}" + (f" · {facts}" if facts else "")


def welcome_html(lang: str, documents: Sequence[DocumentInfo], examples: Sequence[str]) -> str:
    """The first screen: what the page does, which documents it answers from, example questions."""
    if documents:
        shown = "".join(f"<li>{escape(document_label(d))}</li>" for d in documents[:WELCOME_DOCUMENTS])
        more = len(documents) - WELCOME_DOCUMENTS
        if more > 0:
            shown += f"<li>{t(lang, 'and_more', n=more)}</li>"
        docs = f"<p class='qa-doc-count'>{t(lang, 'documents_count', n=len(documents))}:</p><ul class='qa-doc-list'>{shown}</ul>"
    else:
        docs = f"<p class='qa-doc-count'>{t(lang, 'no_documents')}</p>"
    buttons = "".join(f"<li><button type='button' class='qa-example' data-question='{escape(q, quote=True)}'>{escape(q)}</button></li>"
                      for q in examples)
    example_block = f"<p>{t(lang, 'examples')}</p><ul class='qa-examples'>{buttons}</ul>" if examples else ""
    return f"<div class='qa-welcome'><p class='qa-what'>{t(lang, 'what')}</p>{docs}{example_block}</div>"


def example_questions(lang: str, documents: Sequence[DocumentInfo], count: int = 4) -> list[str]:
    """Questions these documents answer: issue date and signer of numbered documents, and one about a title."""
    numbered = [d for d in documents if d.doc_number]
    questions = [t(lang, "example_issued", number=d.doc_number) for d in numbered[:2]]
    questions += [t(lang, "example_signed", number=d.doc_number) for d in numbered[:1] if d.signer]
    questions += [t(lang, "example_about", title=d.title[:80]) for d in documents if not d.doc_number][:1]
    return questions[:count]


def private_mark(lang: str) -> str:
    """What marks a document, and a passage quoted from it, that only its uploader sees."""
    return f"<span class='qa-private'>{t(lang, 'private_doc')}</span>"


def documents_html(lang: str, documents: Sequence[DocumentInfo]) -> str:
    if not documents:
        return f"<p>{t(lang, 'no_documents')}</p>"
    head = "".join(f"<th scope='col'>{t(lang, key)}</th>" for key in
                   ("docs_title", "docs_type", "docs_number", "docs_date", "docs_issuer", "docs_pages", "docs_file"))
    rows = "".join(
        f"<tr><td>{escape(d.title[:120])}{'' if d.shared else ' ' + private_mark(lang)}</td>"
        f"<td>{escape(d.doc_type)}</td><td>{escape(d.doc_number)}</td>"
        f"<td>{escape(d.issued)}</td><td>{escape(d.issuer)}</td><td>{d.pages or ''}</td>"
        f"<td>{escape(file_name(d.source))}</td></tr>" for d in documents)
    return f"<div class='qa-table-wrap' tabindex='0'><table class='qa-docs'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
