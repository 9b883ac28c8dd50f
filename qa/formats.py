"""Loaders for PDF (text layer, or OCR for scanned pages), DOCX and HTML, plus clean-up that keeps
offsets true: the cleaned text is what is stored, so every citation is an exact slice of it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from qa.loaders import Heading, LoadedDocument, SkipFile, guess_title, read_bytes
from qa.text import normalize

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
    return LoadedDocument(text, guess_title(text, path.stem), _plain_headings(text), starts, notes)


def _plain_headings(text: str) -> list[Heading]:
    from qa.loaders import _plain_headings as find

    return find(text)


def load_docx(path: Path, max_bytes: int) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    data = read_bytes(path, max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable Word file ({type(exc).__name__})") from None
    text, headings = "", []
    for paragraph in document.paragraphs:
        line = " ".join(normalize(paragraph.text).split())
        if not line:
            continue
        if text:
            text += "\n"
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith(("heading", "title")):
            headings.append(Heading(len(text), line))
        text += line
    for table in document.tables:
        for row in table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            text += "\n" + " | ".join(c for c in cells if c)
    if not text.strip():
        raise SkipFile("no text in the Word file")
    title = headings[0].text if headings else guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)


class _MainText(HTMLParser):
    """Text of an HTML page without scripts, styles, menus, headers, footers and forms."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "button"}
    BLOCK = {"p", "div", "li", "tr", "br", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
             "blockquote", "pre", "table", "ul", "ol", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.heading: list[str] | None = None
        self.headings: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = dict(attrs).get("role") or ""
        if tag in self.SKIP or role in ("navigation", "banner", "contentinfo"):
            self.skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and not self.skipping:
                self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)
            if self.heading is not None:
                self.heading.append(data)


def load_html(path: Path, max_bytes: int) -> LoadedDocument:
    raw = read_bytes(path, max_bytes)
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary content in an HTML file")
    parser = _MainText()
    parser.feed(raw.decode("utf-8", errors="replace"))
    lines = [" ".join(line.split()) for line in normalize("".join(parser.parts)).split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        raise SkipFile("no text in the HTML page")
    headings, cursor = [], 0
    for heading in parser.headings:
        at = text.find(heading, cursor)
        if heading and at >= 0:
            headings.append(Heading(at, heading))
            cursor = at + len(heading)
    title = " ".join(parser.title.split()) or (headings[0].text if headings else guess_title(text, path.stem))
    return LoadedDocument(text, title, headings)
