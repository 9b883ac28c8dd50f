"""HTML for answers and source cards. Every piece of document or user text passes through escape()."""

from __future__ import annotations

import re
from html import escape

from qa.types import Answer, Citation

CONTEXT_CHARS = 300
_MARK = re.compile(r"\[(\d+(?:, \d+)*)\]")


def answer_html(answer: Answer) -> str:
    """The chat bubble: refusals look different; [n] link to their source card; unsupported marked."""
    if answer.refused:
        note = f"<br><small>{escape(answer.notice)}</small>" if answer.notice else ""
        return f"<div class='qa-refusal'><b>{escape(answer.answer)}</b>{note}</div>"
    if answer.sentences:
        parts = []
        for sentence in answer.sentences:
            text = _link_marks(escape(sentence.text))
            if not sentence.supported:
                missing = ", ".join(sentence.missing) or "no citation"
                text = f"<span class='qa-unsupported' title='Not found in its sources: {escape(missing)}'>[unsupported] {text}</span>"
            parts.append(text)
        body = " ".join(parts)
    else:
        body = _link_marks(escape(answer.answer))
    notice = f"<div class='qa-notice'>Note: {escape(answer.notice)}</div>" if answer.notice else ""
    confidence = (
        f"<div class='qa-confidence'><small>Confidence {answer.confidence:.0%}</small></div>" if answer.confidence is not None else ""
    )
    return f"<div class='qa-answer'>{notice}{body}{confidence}</div>"


def _link_marks(escaped: str) -> str:
    def link(mark: re.Match[str]) -> str:
        numbers = mark.group(1).split(", ")
        return "".join(f"<a class='qa-cite' href='#cite-{n}'>[{n}]</a>" for n in numbers)

    return _MARK.sub(link, escaped)


def source_card(citation: Citation, context: str, context_start: int, full_text: str) -> str:
    """A card: title, section, file, the quote highlighted in its surrounding text, the whole document."""
    rel_start = max(0, citation.start - context_start)
    rel_end = max(rel_start, citation.end - context_start)
    lo = max(0, rel_start - CONTEXT_CHARS)
    hi = min(len(context), rel_end + CONTEXT_CHARS)
    before = ("…" if lo > 0 else "") + context[lo:rel_start]
    after = context[rel_end:hi] + ("…" if hi < len(context) else "")
    shown = citation.section if citation.section != citation.title else ""
    section = f" · <span class='qa-section'>{escape(shown)}</span>" if shown else ""
    page = f" · page {citation.page}" if citation.page else ""
    filename = escape(citation.source.rsplit("/", 1)[-1])
    return (
        f"<div class='qa-card' id='cite-{citation.n}'>"
        f"<div class='qa-card-title'><b>[{citation.n}] {escape(citation.title)}</b>{section}</div>"
        f"<div class='qa-card-where'><small>{filename}{page} · characters {citation.start}–{citation.end}</small></div>"
        f"<div class='qa-context'>{escape(before)}<mark class='qa-quote'>{escape(citation.quote)}</mark>{escape(after)}</div>"
        f"<details class='qa-full'><summary>Open the whole document</summary><pre>{escape(full_text)}</pre></details>"
        "</div>"
    )


STYLE = """
.qa-refusal { color: #8a4b00; background: #fff4e0; padding: 6px 10px; border-left: 4px solid #e0a030; }
.qa-unsupported { background: #ffe3e3; text-decoration: underline wavy #c00; }
.qa-notice { color: #555; font-size: 0.9em; margin-bottom: 4px; }
.qa-confidence { color: #444; margin-top: 4px; }
.qa-card { border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.qa-card:target { border-color: #e0a030; box-shadow: 0 0 0 3px #ffe08a; }
.qa-context { white-space: pre-wrap; font-size: 0.92em; margin-top: 6px; }
.qa-quote { background: #ffe08a; }
.qa-full pre { white-space: pre-wrap; max-height: 320px; overflow: auto; }
"""
