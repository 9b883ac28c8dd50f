"""Word (.docx) files, read in body order: paragraphs and tables as the document shows them.

Vietnamese administrative documents keep their issuing body, number, date and signature block in
layout tables, and plans list their committees in tables under numbered headings, so a table is
written where it stands, one line per row, its cells in order and separated by " | ".
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from qa.ingest.plaintext import guess_title
from qa.ingest.registry import SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import Heading, LoadedDocument

_RULE_ONLY = re.compile(r"^[\s\-_–—=.*]+$")


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
def load_docx(path: Path, max_bytes: int) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    data = read_bytes(path, max_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable Word file ({type(exc).__name__})") from None
    lines: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for block in blocks:
        if isinstance(block, Table):
            block_lines = _table_lines(block)
        else:
            line = " ".join(normalize(block.text).split())
            block_lines = [line] if line and not _RULE_ONLY.match(line) else []
            style = (block.style.name if block.style is not None else "") or ""
            if block_lines and style.lower().startswith(("heading", "title")):
                headings.append(Heading(offset, line))
        for line in block_lines:
            lines.append(line)
            offset += len(line) + 1
    text = "\n".join(lines)
    if not text.strip():
        raise SkipFile("no text in the Word file")
    title = headings[0].text if headings else guess_title(text, path.stem)
    return LoadedDocument(text, title, headings)
