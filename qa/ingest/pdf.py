"""PDF: the text layer, or OCR for scanned pages, cleaned in ways that keep offsets true: the
cleaned text is what is stored, so every citation is an exact slice of it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

from qa.ingest.ocr import BLANK_CHECK_SCALE, OCR_DPI, OCR_FIX, cached_ocr, looks_blank, ocr_page_image, remember_ocr
from qa.ingest.plaintext import guess_title, plain_headings
from qa.ingest.registry import Limits, SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import LoadedDocument

_PAGE_NUMBER = re.compile(r"^\s*(?:page|trang)?\s*\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def clean_pages(pages: list[str]) -> list[str]:
    """De-hyphenate across line breaks, drop page numbers and headers/footers repeated on most pages,
    and normalise whitespace."""
    edges: Counter[str] = Counter()
    split = [[line.strip() for line in normalize(p).split("\n")] for p in pages]
    for lines in split:
        content = [x for x in lines if x]
        edges.update({x for x in content[:2] + content[-2:]})
    repeated = {line for line, n in edges.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    cleaned = []
    for lines in split:
        kept = [x for x in lines if x not in repeated and not _PAGE_NUMBER.match(x)]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
        cleaned.append(re.sub(r"[ \t]+", " ", text).strip())
    return cleaned


def join_pages(pages: list[str], first_page: int = 1) -> tuple[str, list[tuple[int, int]]]:
    text, starts = "", []
    for number, page in enumerate(pages, start=first_page):
        if not page:
            continue
        if text:
            text += "\n\n"
        starts.append((len(text), number))
        text += page
    return text, starts


# Letters a PDF font drew as one ligature glyph, and words split where such a glyph sat ("Artiﬁ cial").
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_SPLIT_LIGATURE = re.compile(r"(\w(?:fi|fl|ffi|ffl)) (?=[a-z]{2,})")


def join_ligatures(text: str) -> str:
    return _SPLIT_LIGATURE.sub(r"\1", text.translate(_LIGATURES)) if ("ﬁ" in text or "ﬂ" in text or "fi " in text or "fl " in text) else text


def _needs_ocr(page: object, text: str) -> bool:
    """No text layer, or a page that is mostly one picture with a few words on it (a scanned page
    inside a text PDF, under a typed page number or stamp)."""
    if len(text.strip()) < 20:
        return True
    if len(text.strip()) >= 200:
        return False
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()  # type: ignore[attr-defined]
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):  # type: ignore[attr-defined]
        left, bottom, right, top = obj.get_pos()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return covered >= 0.5 * width * height


def _open_pdf(data: bytes, limits: Limits) -> list[str]:
    """Each page's text layer; a PDF locked with an empty user password (common: it only restricts
    printing or copying) is opened, any other password is a skip reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipFile("encrypted PDF: remove the password and add it again")
        if len(reader.pages) > limits.max_pages:
            raise SkipFile(f"the PDF has {len(reader.pages)} pages, over the {limits.max_pages} page limit (QA_MAX_PAGES)")
        return [page.extract_text() or "" for page in reader.pages]
    except SkipFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable PDF ({type(exc).__name__})") from None


def _read_scanned(pdf: object, scanned: list[int], raw_pages: list[str], limits: Limits, notes: list[str]) -> None:
    """OCR the scanned pages in place, skipping blank ones, within the file's OCR budget."""
    deadline = time.monotonic() + limits.max_ocr_seconds
    blank = 0
    for i in scanned:
        page = pdf[i]  # type: ignore[index]
        if looks_blank(page.render(scale=BLANK_CHECK_SCALE, grayscale=True).to_pil()):
            blank += 1
            continue
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise subprocess.TimeoutExpired("tesseract", limits.max_ocr_seconds)
            image = page.render(scale=OCR_DPI / 72).to_pil()
            read = cached_ocr(image, limits.ocr_cache)
            if read is None:
                read = ocr_page_image(image, timeout=left)
                remember_ocr(image, read, limits.ocr_cache)
        except subprocess.TimeoutExpired:
            raise SkipFile(
                f"OCR of the scanned pages needs more than {limits.max_ocr_seconds:g} s (QA_MAX_OCR_SECONDS; stopped at "
                f"page {i + 1} of {len(raw_pages)}): split the PDF, or raise the limit"
            ) from None
        except RuntimeError as exc:
            notes.append(f"page {i + 1}: OCR failed ({exc})")
            continue
        # A page with a few typed words over a picture keeps whichever reading is longer.
        if len(read.strip()) > len(raw_pages[i].strip()):
            raw_pages[i] = read
    if len(scanned) > blank:
        notes.append(f"{len(scanned) - blank} scanned page(s) read with OCR")
    if blank:
        notes.append(f"{blank} blank page(s) left out")


@loader(".pdf")
def load_pdf(path: Path, limits: Limits) -> LoadedDocument:
    import pypdfium2

    data = read_bytes(path, limits.max_bytes)
    raw_pages = [join_ligatures(page) for page in _open_pdf(data, limits)]
    notes: list[str] = []
    pdf = pypdfium2.PdfDocument(data, password="")
    scanned = [i for i, text in enumerate(raw_pages) if _needs_ocr(pdf[i], text)]
    if scanned:
        if shutil.which("tesseract"):
            _read_scanned(pdf, scanned, raw_pages, limits, notes)
        else:
            pages = ", ".join(str(i + 1) for i in scanned)
            notes.append(f"skipped scanned page(s) {pages}: no text layer and Tesseract is not installed; {OCR_FIX}")
    text, starts = join_pages(clean_pages(raw_pages))
    if not text.strip():
        raise SkipFile("no text in the PDF" + (f" ({notes[-1]})" if notes else ""))
    return LoadedDocument(text, guess_title(text, path.stem), plain_headings(text), starts, notes)
