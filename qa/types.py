"""The typed objects ingest makes: documents, their anatomy's fields and their chunks. What is
stored is named after this file's hash (Settings.collection_name); what retrieval and answering
return is in qa/results.py, so a change there does not ask for the index to be built again.

Every offset is a character offset into the stored (NFC) document text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    start: int
    text: str


@dataclass(frozen=True)
class LoadedDocument:
    """What a loader reads from a file: the text in its stored form, its title and headings."""

    text: str
    title: str
    headings: list[Heading] = field(default_factory=list)
    # (character offset where the page starts, page number), for paged formats.
    pages: list[tuple[int, int]] = field(default_factory=list)
    # Things the ingest summary should tell the user (e.g. scanned pages read with OCR).
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


@dataclass(frozen=True)
class Layout:
    """What chunking needs of a document besides its text: the loader's title, headings and page
    starts. Stored with the text, so the index can be rebuilt without the file."""

    title: str
    headings: list[Heading] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    doc_id: str
    source: str
    title: str
    section: str
    index: int
    start: int
    end: int
    text: str
    doc_hash: str
    # Headings that start inside this chunk, as (document offset, heading), so a quote deep in a
    # chunk names the section it really sits in.
    inner_headings: tuple[tuple[int, str], ...] = ()
    page: int | None = None
    inner_pages: tuple[tuple[int, int], ...] = ()
    # Policy metadata of the whole document (qa/ingest/metadata.py), kept on every chunk for filtering.
    doc_number: str = ""
    doc_type: str = ""
    issued: str = ""
    issuer: str = ""
    # The first row of the table this chunk opens inside ('State / Territory | Permit | Handgun'),
    # when the table began in an earlier chunk: what its rows' cells are. Searched with the chunk
    # (indexed_text), never quoted from it.
    table_header: str = ""
    # The titles of the headings this chunk sits under that start before it ('Điều 5. Tiến độ thực
    # hiện', '1. Tên thủ tục hành chính: ...'): what its sentences are about. Searched, never quoted.
    context: str = ""

    @property
    def indexed_text(self) -> str:
        """What the embedder reads for this chunk: its text, under its table's header row."""
        return f"{self.table_header}\n{self.text}" if self.table_header else self.text

    @property
    def searched_text(self) -> str:
        """What BM25 reads: the embedded text under the headings it sits under."""
        return f"{self.context}\n{self.indexed_text}" if self.context else self.indexed_text

    def section_at(self, offset: int) -> str:
        section = self.section
        for start, heading in self.inner_headings:
            if start <= offset:
                section = heading
        return section

    def page_at(self, offset: int) -> int | None:
        page = self.page
        for start, number in self.inner_pages:
            if start <= offset:
                page = number
        return page

    def slice(self, start: int, end: int) -> str:
        """document_text[start:end], for a span inside this chunk."""
        return self.text[start - self.start : end - self.start]


def chunk_id_for(doc_id: str, doc_hash: str, index: int) -> str:
    """Ids name the document's content, so a changed document's chunks never collide with the old."""
    return f"{doc_id}:{doc_hash[:12]}:{index}"


@dataclass(frozen=True)
class DocumentInfo:
    """One stored document: where it came from, what it is, and how it was cut."""

    doc_id: str
    source: str
    title: str
    chunks: int
    doc_hash: str = field(metadata={"doc": "sha256 of the stored text"})
    doc_number: str = ""
    doc_type: str = ""
    issued: str = ""
    issuer: str = ""
    file_hash: str = field(default="", metadata={"doc": "sha256 of the file's bytes: unchanged files are never parsed again"})
    effective: str = ""
    signer: str = ""
    signer_position: str = ""
    pages: int = 0
    # Other documents this one cites, replaces or amends, by number: ((relation, number), ...).
    relations: tuple[tuple[str, str], ...] = ()
    # Where each anatomy field was read: ((name, value, start, end), ...), so answers can cite it.
    spans: tuple[tuple[str, str, int, int], ...] = ()
    added_by: str = field(default="", metadata={"doc": "the page user who uploaded it; empty for the CLI and the API"})
    shared: bool = field(default=True, metadata={"doc": "False: an upload only its owner's questions see, until an admin shares it"})

    def span(self, name: str) -> tuple[str, int, int] | None:
        return next(((v, s, e) for n, v, s, e in self.spans if n == name), None)

    def visible_to(self, viewer: str | None) -> bool:
        """viewer None: whoever runs the index (the CLI, the Python API), who sees everything."""
        return viewer is None or self.shared or self.added_by == viewer
