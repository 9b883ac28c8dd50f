"""Files -> documents. One loader per extension; later formats (PDF, DOCX, HTML) plug in here.

A loader returns the document text in its stored form (NFC) plus its title and section headings,
each heading with the character offset where its section starts.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qa.text import fold, normalize


class SkipFile(Exception):
    """A file that cannot be ingested; the message is the reason shown in the summary."""


@dataclass(frozen=True)
class Heading:
    start: int
    text: str


@dataclass(frozen=True)
class LoadedDocument:
    text: str
    title: str
    headings: list[Heading] = field(default_factory=list)
    # (character offset where the page starts, page number), for paged formats.
    pages: list[tuple[int, int]] = field(default_factory=list)
    # Things the ingest summary should tell the user (e.g. scanned pages skipped).
    notes: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    def section_at(self, offset: int) -> str:
        section = ""
        for heading in self.headings:
            if heading.start > offset:
                break
            section = heading.text
        return section


def read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise SkipFile("empty file")
    if size > max_bytes:
        raise SkipFile(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (QA_MAX_FILE_MB)")
    try:
        return path.read_bytes()
    except PermissionError:
        raise SkipFile("permission denied: cannot read the file") from None


def read_text_file(path: Path, max_bytes: int) -> str:
    raw = read_bytes(path, max_bytes)
    if b"\x00" in raw[:8192]:
        raise SkipFile("binary content in a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from None
    text = normalize(text)
    if not text.strip():
        raise SkipFile("no text (only whitespace)")
    return text


_SITE_BANNER = re.compile(r"\b[\w-]+\.(?:vn|com|org|net)\b", re.IGNORECASE)
_TIMESTAMP_ONLY = re.compile(r"^[\d\s:,./-]+$")


_VI_TYPE_LINE = re.compile(r"(ket luan|nghi quyet|quyet dinh|ke hoach|chi thi|nghi dinh|thong bao|thong tu)")


def guess_title(text: str, fallback: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines[:40]):
        if _VI_TYPE_LINE.fullmatch(fold(line.strip())):
            # A Vietnamese administrative text opens with a letterhead; its title is the type line
            # ("KET LUAN") and the subject lines under it, up to the first blank line.
            block = " ".join(itertools.takewhile(str.strip, lines[i:]))
            return textwrap.shorten(block, width=150, placeholder=" …")
    for line in lines:
        line = line.strip().lstrip("#*•").strip()
        if len(line.split()) >= 4 and len(line) <= 150 and not _SITE_BANNER.search(line):
            if not _TIMESTAMP_ONLY.match(line):
                return line
    return fallback


def _plain_headings(text: str) -> list[Heading]:
    """Short lines without closing punctuation that introduce a longer paragraph."""
    headings: list[Heading] = []
    lines = text.split("\n")
    offset = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        following = next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
        words = stripped.split()
        if (
            2 <= len(words) <= 14
            and stripped[0].isupper()
            and not stripped.endswith((".", ",", ";", ":", "?", "!"))
            and len(following) > 2 * len(stripped)
            and not _TIMESTAMP_ONLY.match(stripped)
        ):
            headings.append(Heading(offset + line.index(stripped), stripped))
        offset += len(line) + 1
    return headings


def load_text(path: Path, max_bytes: int) -> LoadedDocument:
    text = read_text_file(path, max_bytes)
    return LoadedDocument(text, guess_title(text, path.stem), _plain_headings(text))


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def load_markdown(path: Path, max_bytes: int) -> LoadedDocument:
    text = read_text_file(path, max_bytes)
    headings = [Heading(m.start(), m.group(2)) for m in _MD_HEADING.finditer(text)]
    title = headings[0].text if headings else guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)


LOADERS: dict[str, Callable[[Path, int], LoadedDocument]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
}


def _register_formats() -> None:
    from qa import formats

    LOADERS.update({".pdf": formats.load_pdf, ".docx": formats.load_docx, ".html": formats.load_html,
                    ".htm": formats.load_html})


def load(path: Path, max_bytes: int) -> LoadedDocument:
    if ".pdf" not in LOADERS:
        _register_formats()
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(sorted(LOADERS))
        raise SkipFile(f"unsupported file type '{path.suffix or '(none)'}' (supported: {supported})")
    return loader(path, max_bytes)
