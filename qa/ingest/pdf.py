"""PDF: the text layer, or OCR for scanned pages, cleaned in ways that keep offsets true: the
cleaned text is what is stored, so every citation is an exact slice of it."""

from __future__ import annotations

import io
import logging
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
# A range or reference broken after its dash ('737–\n9', 'AD 2018–23–\n51'): one token again, dash kept.
_DASH_BREAK = re.compile(r"(\d[–—])\n(?=\d)")


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
        text = _DASH_BREAK.sub(r"\1", _HYPHEN_BREAK.sub(r"\1\2", text))
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


class _RotatedTextNotice(logging.Filter):
    """pypdf's layout reading logs 'Rotated text discovered' on every page with a rotated stamp or
    margin note (the Federal Register's 'VerDate' line); it leaves that text out, which is what a
    table page wants, and the log only alarms whoever ingests."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rotated text discovered")


logging.getLogger("pypdf._text_extraction._layout_mode._fixed_width_page").addFilter(_RotatedTextNotice())
_GAP = re.compile(r"\s{3,}")
# A cell that holds a figure, or the dash a table writes for none: '60,400', '$ 71.15', '2.0%', '—'.
_FIGURE = re.compile(r"^[$£€]?\s?[-+]?(?:\d[\d.,\s]*%?|[—–-])$")


def _page_text(page: object) -> str:
    """A page's text. pypdf's plain reading follows the content stream, which runs a table's cells
    together ('Georgia 14,111 16,635 15,227 448 758 0 10 14 01,7721,796') and, on a page set in
    columns, can interleave their lines ('which procedural method for translating AFM • Revising the
    existing AFM to identifies line numbers'). So a page with enough text is also read with its
    layout: a table of figures keeps its rows (_figure_rows), a page in columns is read column by
    column (_by_columns); any other page keeps the plain reading."""
    plain = page.extract_text() or ""  # type: ignore[attr-defined]
    if len(plain) < 200:
        return plain
    try:
        layout = page.extract_text(extraction_mode="layout") or ""  # type: ignore[attr-defined]
    except Exception:  # pypdf's layout mode fails on some fonts; the plain reading stands
        return plain
    read = _laid_out(layout.split("\n"))
    # Layout mode leaves rotated text out (a margin note, a stamp): when it reads clearly less, the
    # plain reading stands.
    if read is None or _visible(read) < 0.95 * _visible(plain):
        return plain
    return read


def _visible(text: str) -> int:
    return sum(not ch.isspace() for ch in text)


def _laid_out(lines: list[str]) -> str | None:
    """The page from its layout: tables of figures as rows, the text around them by columns where it
    is set in them; None when the page has neither."""
    cells = [_row_cells(line) for line in lines]
    in_table = _figure_rows(cells)
    if not any(in_table):
        return _by_columns(lines) or _by_ragged_columns(lines)
    # The text around the tables, block by block, by columns where it is set in them.
    out: list[str] = []
    at = 0
    while at < len(lines):
        end = at
        while end < len(lines) and in_table[end] == in_table[at]:
            end += 1
        if in_table[at]:
            out += [" | ".join(_unjammed(row)) for row in _with_one_header(lines[at:end], cells[at:end])]
        else:
            block = lines[at:end]
            out.append(_by_columns(block) or "\n".join(" ".join(line.split()) for line in block))
        at = end
    return "\n".join(out)


# A zero cell run into the figure beside it, where columns are narrow: '0146,982' is '0' and '146,982'
# (a figure with thousands separators has at most three digits before its first one).
_JAMMED_ZEROS = re.compile(r"(0+)(\d{1,3}(?:,\d{3})+)")


def _unjammed(row: list[str]) -> list[str]:
    out: list[str] = []
    for cell in row:
        jammed = _JAMMED_ZEROS.fullmatch(cell)
        out += [*jammed.group(1), jammed.group(2)] if jammed else [cell]
    return out


def _row_cells(line: str) -> list[str]:
    """A layout line's cells, between wide gaps. A row of figures the layout wrote with single spaces
    ('2007 66 8 3,482 62 4,985 5,234 33,010 8,744 915', 'Total 174 46 13,842 ...') is its label and
    each figure a cell."""
    cells = _GAP.split(line.strip()) if line.strip() else []
    if len(cells) == 1:
        words = cells[0].split()
        label = next((i for i, word in enumerate(words) if _FIGURE.match(word)), len(words))
        if label <= 3 and len(words) - label >= _SPACED_FIGURES_LEAST and all(_FIGURE.match(w) for w in words[label:]):
            return ([" ".join(words[:label])] if label else []) + words[label:]
    return cells


_SPACED_FIGURES_LEAST = 4
# Column names wrapped over this many lines or more are one header row.
_WRAPPED_HEADER_LINES = 3


def _figures(row: list[str]) -> bool:
    return len(row) >= 3 and sum(_FIGURE.match(c) is not None for c in row[1:]) >= 0.6 * (len(row) - 1)


def _with_one_header(lines: list[str], cells: list[list[str]]) -> list[list[str]]:
    """A table's rows, its column names wrapped over three lines or more ('Motor' / 'Vehicle' / 'Theft')
    made one header row: each name goes to the column of the line with the most names whose middle
    is nearest its own. Over a label column the header gets an empty cell."""
    rows = [(line, row) for line, row in zip(lines, cells, strict=True) if row]
    head = next((i for i, (_, row) in enumerate(rows) if _figures(row)), 0)
    if head < _WRAPPED_HEADER_LINES:
        return [row for _, row in rows]  # one header row, or group names over column names ('Pre-Pawn' over 'Handgun')
    spans = [[(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)] for line, _ in rows[:head]]
    widest = max(spans, key=len)
    middles = [(a + b) / 2 for a, b, _ in widest]
    names: list[list[str]] = [[] for _ in widest]
    for line_spans in spans:
        for a, b, text in line_spans:
            names[min(range(len(middles)), key=lambda k: abs(middles[k] - (a + b) / 2))].append(text)
    header = [" ".join(words) for words in names]
    if len(header) == len(rows[head][1]) - 1:
        header = ["", *header]
    return [header, *(row for _, row in rows[head:])]


def _figure_rows(cells: list[list[str]]) -> list[bool]:
    """Which lines (as cells between wide gaps) are rows of a table of figures: at least three rows
    of three or more cells, most of them numbers, with the header rows above them."""
    in_table = [False] * len(cells)
    i = 0
    while i < len(cells):
        if not _figures(cells[i]):
            i += 1
            continue
        end, rows = i, 0
        while end < len(cells) and (len(cells[end]) >= 2 or (not cells[end] and end + 1 < len(cells) and len(cells[end + 1]) >= 2)):
            rows += _figures(cells[end])
            end += 1
        if rows >= 3:
            start = i
            while start > 0 and len(cells[start - 1]) >= 2:  # its header rows: 'State / Territory | Permit | Handgun'
                start -= 1
            for k in range(start, end):
                in_table[k] = True
        i = end
    return in_table


# Character positions a page's layout may have for its columns to be looked for (a Federal Register
# page: 80 lines of 180).
_MOST_LAYOUT_CELLS = 400_000


def _by_columns(lines: list[str]) -> str | None:
    """A page set in columns, read column by column: a gutter is a run of at least two character
    positions blank on 97% of the page's lines; each column must hold text on a third of them. Lines
    that cross a gutter (a running head, a title over the columns) come first, whole. None when the
    page is not in columns."""
    body = [line for line in lines if line.strip()]
    if len(body) < 10:
        return None
    width = max(len(line) for line in body)
    if width * len(body) > _MOST_LAYOUT_CELLS:
        return None  # not a page of prose columns: a line thousands of characters wide, or thousands of lines
    blank = [0] * width
    for line in body:
        for i, ch in enumerate(line.ljust(width)):
            blank[i] += ch == " "
    # Gutters lie between the outermost positions most lines write in, not in the margins.
    written = [i for i in range(width) if blank[i] < 0.94 * len(body)]
    if not written:
        return None
    left, right = written[0], written[-1] + 1
    gutters: list[tuple[int, int]] = []
    i = left
    while i < right:
        if blank[i] >= 0.94 * len(body):
            j = i
            while j < right and blank[j] >= 0.94 * len(body):
                j += 1
            if j - i >= 2:
                gutters.append((i, j))
            i = j
        else:
            i += 1
    if not gutters:
        return None
    edges = [0, *(edge for gutter in gutters for edge in gutter), width]
    columns = list(zip(edges[::2], edges[1::2], strict=True))
    for a, b in columns:
        pieces = [line[a:b].split() for line in body if line[a:b].strip()]
        # Each column holds text on a third of the lines, and prose: four words a line or more
        # (a form's 'Processing time:   Ten working days' is labels and values, not columns).
        if len(pieces) < len(body) / 3 or sum(map(len, pieces)) < 4 * len(pieces):
            return None
    whole: list[str] = []
    read: list[list[str]] = [[] for _ in columns]
    for line in body:
        cuts = [_cut_near(line, a, b) for a, b in gutters]
        if None in cuts:  # a line across the columns: a running head, a title over them
            whole.append(" ".join(line.split()))
            continue
        bounds = [0, *(cut for cut in cuts if cut is not None), len(line)]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            if line[a:b].strip():
                read[k].append(" ".join(line[a:b].split()))
    return "\n".join(whole + [line for column in read for line in column])


_GAP_RUN = re.compile(r" {3,}")
_WIDE_GAP = re.compile(r" {4,}")


def _by_ragged_columns(lines: list[str]) -> str | None:
    """A page in two columns whose gutter wanders from line to line, as layout mode spaces a
    proportional font (IRS Notice 1036: 'tables as soon as possible, but not later than January
    ... the deduction for total withholding allowances'), read left column then right. Each line
    parts at the gap of three spaces or more in the middle of the page nearest where most lines
    part; a line starting past the middle is the right column's. A page of prose only: each side
    holds four words a line, and neither holds a further gap but for a table row's figure
    ('Monthly   308.33'). None when fewer than two lines in five part so, or lines cross the middle."""
    body = [line.rstrip() for line in lines if line.strip()]
    if len(body) < 20:
        return None
    lengths = sorted(len(line) for line in body)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    low, high = 0.3 * width, 0.7 * width

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    def gaps(line: str) -> list[re.Match[str]]:
        return [m for m in _GAP_RUN.finditer(line, indent(line)) if m.end() < len(line) and m.start() < high and m.end() > low]

    single = sorted(found[0].end() for line in body if len(found := gaps(line)) == 1)
    if not single:
        return None
    gutter = single[len(single) // 2]
    left: list[str] = []
    right: list[str] = []
    whole: list[str] = []
    split = 0
    for line in body:
        if indent(line) >= low:
            right.append(line)
        elif found := gaps(line):
            cut = min(found, key=lambda m: abs(m.end() - gutter))
            left.append(line[: cut.start()])
            right.append(line[cut.end() :])
            split += 1
        elif len(line) <= high + 0.05 * width:
            left.append(line)
        else:
            whole.append(line)
    if split < 0.4 * len(body) or len(whole) > 0.15 * len(body):
        return None
    parts = left + right

    def gapped(part: str) -> bool:
        pieces = _WIDE_GAP.split(part.strip())
        return len(pieces) > 1 and not _FIGURE.match(pieces[-1].strip())

    if sum(map(gapped, parts)) > 0.05 * len(parts) or sum(len(p.split()) for p in parts) < 4 * len(parts):
        return None
    return "\n".join(" ".join(line.split()) for line in whole + left + right)


def _cut_near(line: str, start: int, end: int) -> int | None:
    """Where a line parts at the gutter start-end: the gutter itself when it is blank there, else a
    run of two or more spaces within six positions of it (a column's line may reach into the
    gutter); None when the line runs across it."""
    if not line[start:end].strip():
        return (start + end) // 2
    runs = [m for m in re.finditer(r" {2,}", line[max(0, start - 6) : end + 6])]
    if not runs:
        return None
    middle = (start + end) / 2 - max(0, start - 6)
    best = min(runs, key=lambda m: abs((m.start() + m.end()) / 2 - middle))
    return max(0, start - 6) + (best.start() + best.end()) // 2


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
        return [_page_text(page) for page in reader.pages]
    except SkipFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SkipFile(f"corrupt or unreadable PDF ({type(exc).__name__})") from None


# A blank line Tesseract puts inside a paragraph: after a line that ends no sentence, before one
# that goes on in lower case ('... hạng mục công trình xây' / '' / 'dựng, căn cứ vào tỷ lệ ...').
_BROKEN_PARAGRAPH = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n[ \t]*\n[ \t]*(?=(\S))")


def rewrapped(ocr_text: str) -> str:
    """OCR text with the blank lines inside its paragraphs taken out: a sentence wrapped over
    several lines is read as one, and a quote of it is whole. Only before a lower-case letter
    ('Đối với ...' after a heading is a paragraph of its own)."""
    return _BROKEN_PARAGRAPH.sub(lambda m: "\n" if m.group(1).islower() or m.group(1) in "(," else m.group(0), ocr_text)


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
            raw_pages[i] = rewrapped(read)
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
