"""What the Source panel shows: a PDF page rendered with pypdfium2 with the quoted span highlighted on it,
and the whole document text opened at the quote."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

RENDER_SCALE = 1.6  # about 950 px across an A4 page: the quote stays legible on a laptop screen
HIGHLIGHT = (255, 214, 0, 110)
SEARCH_WORDS = (8, 5, 3)
DOCUMENT_WINDOW = 200_000  # characters either side of the quote sent to the browser


def page_image(pdf_path: Path, page_number: int, quote: str) -> tuple[Image.Image, bool]:
    """Page `page_number` (1-based) as an image, and whether the quote was found and highlighted on it."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_number - 1]
        height = page.get_size()[1]
        image = page.render(scale=RENDER_SCALE).to_pil().convert("RGBA")
        textpage = page.get_textpage()
        rects = _quote_rects(textpage, quote)
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for left, bottom, right, top in rects:
            draw.rectangle(((left * RENDER_SCALE, (height - top) * RENDER_SCALE),
                            (right * RENDER_SCALE, (height - bottom) * RENDER_SCALE)), fill=HIGHLIGHT)
        return Image.alpha_composite(image, overlay).convert("RGB"), bool(rects)
    finally:
        pdf.close()


def _quote_rects(textpage: pdfium.PdfTextPage, quote: str) -> list[tuple[float, float, float, float]]:
    """Boxes around the quote: find where its first words start and its last words end in the page text.

    The stored text differs from the PDF's text layer in spacing and line breaks, so the quote is found
    by a few words at each end rather than whole.
    """
    words = quote.split()
    if not words:
        return []
    start = _find(textpage, words, from_end=False, index=0)
    if start is None:
        return []
    end = _find(textpage, words, from_end=True, index=start[0])
    last = end[0] + end[1] if end else start[0] + start[1]
    count = textpage.count_rects(start[0], last - start[0])
    return [textpage.get_rect(i) for i in range(count)]


def _find(textpage: pdfium.PdfTextPage, words: list[str], from_end: bool, index: int) -> tuple[int, int] | None:
    for n in SEARCH_WORDS:
        piece = " ".join(words[-n:] if from_end else words[:n])
        found = textpage.search(piece, index=index, match_case=False).get_next()
        if found:
            return int(found[0]), int(found[1])
    return None


def document_html(text: str, start: int, end: int) -> str:
    """The whole text (or a large window of it) with the quote marked; the page scrolls to the mark."""
    lo, hi = max(0, start - DOCUMENT_WINDOW), min(len(text), end + DOCUMENT_WINDOW)
    before = ("…" if lo else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return (f"<div class='qa-document' tabindex='0'>{escape(before)}<mark class='qa-quote' id='qa-document-quote'>"
            f"{escape(text[start:end])}</mark>{escape(after)}</div>")
