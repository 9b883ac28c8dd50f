"""Word (.docx) files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from qa.ingest.plaintext import guess_title
from qa.ingest.registry import SkipFile, loader, read_bytes
from qa.text import normalize
from qa.types import Heading, LoadedDocument


@loader(".docx")
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
