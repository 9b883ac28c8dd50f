"""PDF: the text layer, or OCR for scanned pages, cleaned in ways that keep offsets true: the
cleaned text is what is stored, so every citation is an exact slice of it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from qa.ingest.plaintext import guess_title, plain_headings
from qa.ingest.registry import SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import LoadedDocument

_PAGE_NUMBER = re.compile(r"^\s*(?:page|trang)?\s*\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
OCR_FIX = "install Tesseract to read them: apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng"


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


def ocr_image_png(png: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page.png"
        image.write_bytes(png)
        run = subprocess.run(["tesseract", str(image), "stdout", "-l", _ocr_languages()],
                             capture_output=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.decode(errors="replace")[:200])
    return run.stdout.decode("utf-8", errors="replace")


def _ocr_languages() -> str:
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    wanted = [lang for lang in ("vie", "eng") if lang in listed]
    return "+".join(wanted) or "eng"


@loader(".pdf")
def load_pdf(path: Path, max_bytes: int) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    data = read_bytes(path, max_bytes)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SkipFile("encrypted PDF: remove the password and add it again")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except SkipFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable PDF ({type(exc).__name__})") from None

    notes: list[str] = []
    scanned = [i for i, text in enumerate(raw_pages) if len(text.strip()) < 20]
    if scanned:
        if shutil.which("tesseract"):
            import pypdfium2

            pdf = pypdfium2.PdfDocument(data)
            for i in scanned:
                bitmap = pdf[i].render(scale=300 / 72).to_pil()
                buffer = io.BytesIO()
                bitmap.save(buffer, format="PNG")
                try:
                    raw_pages[i] = ocr_image_png(buffer.getvalue())
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    notes.append(f"page {i + 1}: OCR failed ({exc})")
            notes.append(f"{len(scanned)} scanned page(s) read with OCR")
        else:
            pages = ", ".join(str(i + 1) for i in scanned)
            notes.append(f"skipped scanned page(s) {pages}: no text layer and Tesseract is not installed; {OCR_FIX}")
    text, starts = join_pages(clean_pages(raw_pages))
    if not text.strip():
        raise SkipFile("no text in the PDF" + (f" ({notes[-1]})" if notes else ""))
    return LoadedDocument(text, guess_title(text, path.stem), plain_headings(text), starts, notes)
