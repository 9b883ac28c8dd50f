"""Documents -> chunks sized in tiktoken tokens, cut on sentence boundaries, with exact offsets.

A chunk's text is always `document_text[start:end]`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache

import regex
import tiktoken

from qa.ingest.anatomy import CONTEXT_CHARS, Anatomy
from qa.offline import CL100K_SHA256, bundled_tiktoken_file
from qa.text import Span, names_columns, sentence_spans
from qa.types import Chunk, LoadedDocument, chunk_id_for

# tiktoken's own cl100k_base() downloads its BPE file; build the same encoding from the copy that
# llama-index-core ships, so chunking never needs the network or an environment variable.
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_CL100K_SPECIAL = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                   "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    from tiktoken.load import load_tiktoken_bpe

    bundled = bundled_tiktoken_file()
    if bundled is None:
        return tiktoken.get_encoding("cl100k_base")
    ranks = load_tiktoken_bpe(str(bundled), expected_hash=CL100K_SHA256)
    return tiktoken.Encoding("cl100k_base", pat_str=_CL100K_PATTERN, mergeable_ranks=ranks, special_tokens=_CL100K_SPECIAL)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


@lru_cache(maxsize=1)
def _pieces_pattern() -> regex.Pattern[str]:
    """tiktoken's own first step: text is cut into these pieces, and each is encoded alone."""
    return regex.compile(_CL100K_PATTERN)


class _RemainderTokens:
    """Token counts of every suffix of one long text, from a single encoding of it.

    tiktoken encodes each regex piece alone, so a suffix encodes as the whole text does from the
    first place where the suffix's pieces and the whole text's pieces end together: only the
    suffix's head up to there is encoded again. Recounting every remainder instead made a long
    unbroken line cost quadratic time (500 KB took 11 s)."""

    def __init__(self, text: str) -> None:
        self.text = text
        tokens = encoding().encode(text, disallowed_special=())
        self.total = len(tokens)
        decoded, self.token_starts = encoding().decode_with_offsets(tokens)
        self.exact = decoded == text
        self.piece_ends = {m.end() for m in _pieces_pattern().finditer(text)}

    def count_from(self, offset: int) -> int:
        if offset == 0:
            return self.total
        if not self.exact:  # text tiktoken does not round-trip (lone surrogates): count the slow way
            return count_tokens(self.text[offset:])
        rejoin = len(self.text)
        for piece in _pieces_pattern().finditer(self.text, offset):
            if piece.end() in self.piece_ends:
                rejoin = piece.end()
                break
        return count_tokens(self.text[offset:rejoin]) + self.total - bisect_left(self.token_starts, rejoin)


def cut_before(text: str, start: int, guess: int) -> int:
    """Where to end a piece that starts at `start` and may run to `guess`: at a clause's end ('; ',
    ', ') in the last third, so the next piece starts where a reader can ('thời gian công tác có
    ...', not 'gian công tác có ...'), else at the last space, else at `guess`."""
    clause = max(text.rfind("; ", start + 1, guess), text.rfind(", ", start + 1, guess))
    cut = clause + 1 if clause > start + 2 * (guess - start) // 3 else text.rfind(" ", start + 1, guess)
    return guess if cut <= start else cut


def _split_long(text: str, span: Span, max_tokens: int) -> list[Span]:
    """Cut a unit longer than a chunk at a clause's end or whitespace, about max_tokens apiece."""
    if count_tokens(text[span.start : span.end]) <= max_tokens:
        return [span]
    remainder = _RemainderTokens(text[span.start : span.end])
    pieces: list[Span] = []
    start = span.start
    while start < span.end:
        tokens = remainder.count_from(start - span.start)
        if tokens <= max_tokens:
            pieces.append(Span(start, span.end))
            break
        cut = cut_before(text, start, start + (span.end - start) * max_tokens // tokens)
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    return pieces


def chunk_document(
    doc: LoadedDocument,
    doc_id: str,
    source: str,
    doc_hash: str,
    chunk_tokens: int,
    overlap_tokens: int,
    anatomy: Anatomy | None = None,
) -> list[Chunk]:
    """Cut a document into chunks of about chunk_tokens. With an anatomy, no chunk straddles two
    articles (or parts, chapters, sections, the header or the signature block): a long article
    splits at its sentences and clauses, and each chunk's section is its path ('Chương II › Điều 5')."""
    meta = anatomy or Anatomy()
    text = doc.text
    units: list[Span] = []
    for span in sentence_spans(text):
        units.extend(_split_long(text, span, chunk_tokens))
    sizes = [count_tokens(text[u.start : u.end]) for u in units]
    boundaries = structure_boundaries(meta)
    headings = [(offset, path) for offset, path in meta.headings() if path] if meta.parts else [(h.start, h.text) for h in doc.headings]
    heading_starts = [offset for offset, _ in headings]

    def section_at(offset: int) -> str:
        at = bisect_right(heading_starts, offset) - 1
        return headings[at][1] if at >= 0 else doc.section_at(offset) if not meta.parts else ""

    table_header = _table_headers(text)

    def context_at(offset: int) -> str:
        if meta.parts or meta.outline:
            return meta.context_at(offset)
        # A loader's headings (a web page's h2; `headings` holds them when the anatomy has no parts):
        # the one above, when it starts before the chunk.
        at = bisect_left(heading_starts, offset) - 1
        return headings[at][1][:CONTEXT_CHARS] if at >= 0 else ""
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, sizes[first]
        limit_at = bisect_right(boundaries, units[first].start)
        limit = boundaries[limit_at] if limit_at < len(boundaries) else len(text) + 1
        while last + 1 < len(units) and total + sizes[last + 1] <= chunk_tokens and units[last + 1].start < limit:
            last += 1
            total += sizes[last]
        start, end = units[first].start, units[last].end
        index = len(chunks)
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc_id, doc_hash, index),
                doc_id=doc_id,
                source=source,
                title=doc.title,
                section=section_at(start),
                index=index,
                start=start,
                end=end,
                text=text[start:end],
                doc_hash=doc_hash,
                inner_headings=tuple((o, h) for o, h in headings if start < o < end),
                page=doc.page_at(start),
                inner_pages=tuple((o, n) for o, n in doc.pages if start < o < end),
                doc_number=meta.doc_number.value if meta.doc_number else "",
                doc_type=meta.doc_type,
                issued=meta.issued.value if meta.issued else "",
                issuer=meta.issuer.value if meta.issuer else "",
                table_header=table_header(start),
                context=context_at(start),
            )
        )
        if last + 1 >= len(units):
            break
        # Step back over whole units worth at most `overlap_tokens`, but always move forward, and
        # never back across a structural boundary.
        next_first, carried = last + 1, 0
        while (
            next_first - 1 > first and carried + sizes[next_first - 1] <= overlap_tokens and units[next_first].start < limit
        ):
            next_first -= 1
            carried += sizes[next_first]
        first = next_first
    return chunks


# A header row longer than this is cut: it names the columns, not the answer.
TABLE_HEADER_CHARS = 300


def _table_headers(text: str) -> Callable[[int], str]:
    """For an offset, the header row of the table whose row (not the header) holds it, else ''. A
    table is a run of lines holding ' | '; its header is its first row when that names columns (with
    the next when that names columns too); a run that opens on figures ('- Các phường ... | 1,2%')
    goes on the table above it when at most two lines (of text, or blank) part them ('Nhóm 1: ...
    gồm:'). Two tables with nothing between them read as one (Word drops empty paragraphs). A chunk
    may open on a row or inside a long one. One pass over the lines."""
    starts: list[int] = []  # where each row under a header starts
    ends: list[int] = []
    headers: list[str] = []
    header, at, since_row, second = "", 0, 99, False
    for line in text.split("\n"):
        if line.strip() and not line.strip(" |"):
            at += len(line) + 1  # a row of empty cells ('|||||||', under merged header cells) says nothing
            continue
        if " | " in line:
            if since_row > 0:  # a run starts
                if names_columns(line):
                    header = line.strip()[:TABLE_HEADER_CHARS]
                    second = header == line  # a second header row is kept with it only when both read exactly
                    at += len(line) + 1
                    since_row = 0
                    continue
                if since_row > 2:
                    header = ""
            elif second and names_columns(line) and len(line) <= TABLE_HEADER_CHARS:
                # Column names under a row of group names: 'Pre-Pawn | Redemption | ...' over
                # 'State / Territory | Permit | Handgun | ...'.
                header, second = f"{header}\n{line}", False
                at += len(line) + 1
                continue
            second = False
            if header:
                starts.append(at)
                ends.append(at + len(line))
                headers.append(header)
            since_row = 0
        else:  # a line of text, or a blank line (which ends a table: the next run starts anew)
            since_row += 1
        at += len(line) + 1

    def header_at(offset: int) -> str:
        row = bisect_right(starts, offset) - 1
        return headers[row] if row >= 0 and offset <= ends[row] else ""

    return header_at


def structure_boundaries(anatomy: Anatomy) -> list[int]:
    """Offsets no chunk may run across: where the body, each article-level part, the recipients,
    the signature block and each annex start."""
    found = {p.start for p in anatomy.parts if p.depth <= 3} | {a.start for a in anatomy.annexes}
    for part in (anatomy.recipients, anatomy.authority or anatomy.position):
        if part is not None:
            found.add(part.start)
    return sorted(found)
