"""Word (.docx) files, read in body order: paragraphs and tables as the document shows them.

Vietnamese administrative documents keep their issuing body, number, date and signature block in
layout tables, and plans list their committees in tables under numbered headings, so a table is
written where it stands, one line per row, its cells in order and separated by " | ".
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from qa.ingest.plaintext import guess_title
from qa.ingest.registry import Limits, SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import Heading, LoadedDocument

_RULE_ONLY = re.compile(r"^[\s\-_–—=.*]+$")
# What may stand before an XML part's root element: a BOM, the declaration, comments, processing
# instructions and whitespace. A DOCTYPE (where entities are declared) is never in a Word file.
_XML_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?(?:(?!\?>).)*\?>|<!--(?:(?!-->).)*-->)*", re.DOTALL)
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_PROLOG_BYTES = 64 * 1024
# Members smaller than this may compress as well as they like: the ratio check is for bombs.
_RATIO_FLOOR = 1_000_000


def check_package(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb or a hostile XML part before python-docx inflates or parses anything:
    the members' declared sizes and compression ratios against the limits (zipfile stops reading
    a member at its declared size), and every XML part's prolog, where a billion-laughs entity or
    an external entity would have to be declared."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > limits.max_unpacked_bytes:
                raise SkipFile(
                    f"the Word file unpacks to {unpacked / 1e6:.0f} MB, over the {limits.max_unpacked_bytes / 1e6:.0f} MB "
                    "limit (QA_MAX_UNPACKED_MB)"
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > _RATIO_FLOOR and ratio > limits.max_zip_ratio:
                    raise SkipFile(
                        f"{member.filename} in the Word file is compressed {ratio:.0f}:1, over the "
                        f"{limits.max_zip_ratio:.0f}:1 limit (QA_MAX_ZIP_RATIO): it looks like a zip bomb"
                    )
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with package.open(member) as handle:
                        head = handle.read(_PROLOG_BYTES)
                    prolog = _XML_PROLOG.match(head)
                    rest = head[prolog.end() if prolog else 0 :]
                    if rest and not _ROOT_ELEMENT.match(rest):
                        what = "declares a DOCTYPE or entities" if rest.startswith(b"<!") else "does not start like XML"
                        raise SkipFile(f"{member.filename} in the Word file {what}; Word never writes that, so it was not read")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SkipFile(f"corrupt or unreadable Word file ({type(exc).__name__})") from None


def _cell_text(cell: Any) -> str:
    """A cell's paragraphs on one line, without the rules drawn under letterheads ('-------')."""
    lines = [" ".join(line.split()) for p in cell.paragraphs for line in normalize(p.text).split("\n")]
    return " ".join(line for line in lines if line and not _RULE_ONLY.match(line))


def _table_lines(table: Any) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            text = _cell_text(cell)
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


@loader(".docx")
def load_docx(path: Path, limits: Limits) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    data = read_bytes(path, limits.max_bytes)
    check_package(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, XMLSyntaxError, KeyError, ValueError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable Word file ({type(exc).__name__})") from None
    lines: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for block in blocks:
        if isinstance(block, Table):
            block_lines = _table_lines(block)
        else:
            # A line break inside a paragraph (<w:br/>) ends a line: some decrees are one paragraph
            # of articles, the signature and the annex, each on its own line.
            block_lines = [line for part in normalize(block.text).split("\n") if (line := " ".join(part.split())) and not _RULE_ONLY.match(line)]
            style = (block.style.name if block.style is not None else "") or ""
            if block_lines and style.lower().startswith(("heading", "title")):
                headings.append(Heading(offset, block_lines[0]))
        for line in block_lines:
            lines.append(line)
            offset += len(line) + 1
    text = "\n".join(lines)
    if not text.strip():
        raise SkipFile("no text in the Word file")
    title = headings[0].text if headings else guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)
