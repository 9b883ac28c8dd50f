"""Plain text and Markdown, and the title and heading guesses shared by every format."""

from __future__ import annotations

import itertools
import re
import textwrap
from pathlib import Path

from qa.ingest.anatomy import PREAMBLE
from qa.ingest.registry import Limits, SkipFile, loader, read_bytes
from qa.text import HEADING_LABEL, fold, normalize
from qa.types import Heading, LoadedDocument


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
            # ("KET LUAN") and the subject lines under it, up to the first blank line, the preamble
            # ('Căn cứ ...') or the first article.
            block = " ".join(itertools.takewhile(
                lambda line: line.strip() and not HEADING_LABEL.match(line.strip()) and not PREAMBLE.match(fold(line.strip())),
                lines[i:]))
            return textwrap.shorten(block, width=150, placeholder=" …")
    for line in lines:
        line = line.strip().lstrip("#*•").strip()
        if len(line.split()) >= 4 and len(line) <= 150 and not _SITE_BANNER.search(line):
            if not _TIMESTAMP_ONLY.match(line):
                return line
    return fallback


def plain_headings(text: str) -> list[Heading]:
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


@loader(".txt")
def load_text(path: Path, limits: Limits) -> LoadedDocument:
    text = read_text_file(path, limits.max_bytes)
    return LoadedDocument(text, guess_title(text, path.stem), plain_headings(text))


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@loader(".md", ".markdown")
def load_markdown(path: Path, limits: Limits) -> LoadedDocument:
    text = read_text_file(path, limits.max_bytes)
    headings = [Heading(m.start(), m.group(2)) for m in _MD_HEADING.finditer(text)]
    title = headings[0].text if headings else guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)
