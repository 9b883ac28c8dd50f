"""Paths -> files -> chunks -> vectors -> Chroma, incrementally, with a summary of what happened."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from qa.config import Settings
from qa.errors import InputError
from qa.index.damage import read_only_error
from qa.index.embed_cache import EmbeddingCache
from qa.index.embedders import Embedder
from qa.index.locks import folder_lock
from qa.index.store import ChunkStore
from qa.ingest.anatomy import Anatomy, Field, read_anatomy
from qa.ingest.chunking import chunk_document, count_tokens
from qa.ingest.registry import Limits, SkipFile, load
from qa.types import Chunk, DocumentInfo, Layout, LoadedDocument

Status = Literal["added", "updated", "unchanged", "removed", "skipped"]
Progress = Callable[[int, int, str], None]
EMBED_BATCH = 32
# Files are parsed ahead and stored together once this many chunks (or files) wait.
STORE_BATCH_CHUNKS = 256
STORE_BATCH_FILES = 64


@dataclass(frozen=True)
class FileResult:
    path: str
    status: Status
    chunks: int = 0
    reason: str = ""


@dataclass(frozen=True)
class ParsedFile:
    """A file read and cut into chunks, waiting to be embedded and stored with others: many small
    files cost one embedding batch and a few Chroma writes, not a few writes each."""

    info: DocumentInfo
    text: str
    layout: Layout
    chunks: list[Chunk]
    replaces: bool  # an earlier version (or an interrupted ingest's chunks) is stored: it leaves after
    status: Status
    notes: str


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    # Seconds spent per stage, and what was produced; qa bench reads these.
    seconds: dict[str, float] = field(default_factory=lambda: {"parse": 0.0, "embed": 0.0, "store": 0.0})
    chunks: int = 0
    tokens: int = 0
    embedded: int = 0
    # What the summary should say about the ingest as a whole (a damaged cache set aside).
    notes: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "removed", "skipped")]
        return ", ".join(parts)


def doc_id_for(path: Path) -> str:
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


def discover(paths: list[Path]) -> tuple[list[Path], list[FileResult]]:
    """The files to ingest, and the symbolic links inside given folders that lead out of them:
    those are not followed (a link must not pull a file from elsewhere into the index), and the
    summary says so. A file named on its own is read wherever it lives."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"No such file or folder: {', '.join(missing)}")
    files: list[Path] = []
    refused: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for found in sorted(path.rglob("*")):
                if not found.is_file() or found.name.startswith("."):
                    continue
                if not found.resolve().is_relative_to(root):
                    refused.append(FileResult(str(found.absolute()), "skipped", reason=f"a link to a file outside {path}: not followed"))
                else:
                    files.append(found)
        else:
            files.append(path)
    return list(dict.fromkeys(p.resolve() for p in files)), refused


def index_lock(settings: Settings) -> AbstractContextManager[None]:
    """One writer per index: a second ingest fails at once with a clear message."""
    return folder_lock(
        settings.index_dir, "ingest.lock", wait=False,
        busy_message=f"Another ingest is writing to {settings.index_dir}; wait for it to finish and run again.",
    )


def limits_for(settings: Settings) -> Limits:
    return Limits(
        max_bytes=int(settings.max_file_mb * 1_000_000), max_pages=settings.max_pages,
        max_ocr_seconds=settings.max_ocr_seconds, max_unpacked_bytes=int(settings.max_unpacked_mb * 1_000_000),
        max_zip_ratio=settings.max_zip_ratio, ocr_cache=settings.ocr_cache_dir,
    )


def open_embedding_cache(settings: Settings) -> EmbeddingCache:
    return EmbeddingCache(settings.index_dir / "embeddings.sqlite3", settings.embedder_identity())


def ingest_paths(
    settings: Settings,
    store: ChunkStore,
    embedder: Embedder,
    paths: list[Path],
    prune: bool = False,
    progress: Progress | None = None,
    added_by: str = "",
    shared: bool = True,
) -> IngestReport:
    """added_by / shared: who uploads these files through the page, and whether every user may
    see them; a document already stored keeps its owner and sharing."""
    files, refused = discover(paths)
    report = IngestReport(files=refused)
    limits = limits_for(settings)
    if store.read_only:
        raise read_only_error(settings.index_dir)
    with index_lock(settings):
        cache = open_embedding_cache(settings)
        waiting: list[FileResult | ParsedFile] = []
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            waiting.append(_read_file(settings, store, path, limits, report, added_by, shared))
            parsed = [w for w in waiting if isinstance(w, ParsedFile)]
            if len(parsed) >= STORE_BATCH_FILES or sum(len(p.chunks) for p in parsed) >= STORE_BATCH_CHUNKS:
                report.files += _store_batch(store, embedder, cache, waiting, report)
                waiting = []
        report.files += _store_batch(store, embedder, cache, waiting, report)
        cache.close()
        if cache.set_aside is not None:
            report.notes.append(
                f"the embedding cache was damaged: set aside as {cache.set_aside.name} and started again (vectors "
                "of documents already stored are kept in the index; `qa repair` refills the cache from them)"
            )
        if prune:
            kept = {str(p) for p in files}
            folders = [p.resolve() for p in paths if p.is_dir()]
            for doc in store.documents():
                inside = any(Path(doc.source).is_relative_to(folder) for folder in folders)
                if inside and doc.source not in kept:
                    store.delete_document(doc.doc_id)
                    report.files.append(FileResult(doc.source, "removed", doc.chunks))
        if progress:
            progress(len(files), len(files), "")
    return report


def embed_with_cache(embedder: Embedder, cache: EmbeddingCache, texts: list[str], report: IngestReport) -> np.ndarray:
    keys = [cache.key(t) for t in texts]
    found = cache.get_many(keys)
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        fresh: dict[str, np.ndarray] = {}
        for i in range(0, len(missing), EMBED_BATCH):
            batch = missing[i : i + EMBED_BATCH]
            fresh.update(zip(batch, embedder.embed_passages([by_key[k] for k in batch]), strict=True))
        cache.put_many(fresh)
        found.update(fresh)
        report.embedded += len(missing)
    return np.stack([found[k] for k in keys])


def document_info(
    doc_id: str, source: str, title: str, doc_hash: str, file_hash: str, anatomy: Anatomy, pages: int
) -> DocumentInfo:
    def value(field: Field | None) -> str:
        return field.value if field else ""

    named = {"number": anatomy.doc_number, "issued": anatomy.issued, "issuer": anatomy.issuer, "title": anatomy.title,
             "effective": anatomy.effective, "signer": anatomy.signer, "position": anatomy.position,
             "authority": anatomy.authority}
    return DocumentInfo(
        doc_id=doc_id, source=source, title=value(anatomy.title) if anatomy.title and len(anatomy.title.value) > len(title) // 2 else title,
        chunks=0, doc_hash=doc_hash, doc_number=value(anatomy.doc_number), doc_type=anatomy.doc_type,
        issued=value(anatomy.issued), issuer=value(anatomy.issuer), file_hash=file_hash, effective=value(anatomy.effective),
        signer=value(anatomy.signer), signer_position=value(anatomy.position), pages=pages,
        relations=tuple((relation, f.value) for relation, f in anatomy.relations),
        spans=tuple((name, f.value, f.start, f.end) for name, f in named.items() if f is not None),
    )


def file_digest(path: Path, max_bytes: int) -> str:
    """sha256 of the file's bytes, read in blocks: what decides whether a file changed, before
    any parsing (or OCR) is spent on it."""
    size = path.stat().st_size
    if size > max_bytes:
        raise SkipFile(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (QA_MAX_FILE_MB)")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_document(path: Path, limits: Limits, max_chars: int) -> LoadedDocument:
    """The file's text, or SkipFile with the reason: whatever goes wrong inside a parser (a
    library's own exception on a malformed file included) is that file's problem, never the
    whole ingest's."""
    try:
        doc = load(path, limits)
    except SkipFile:
        raise
    except OSError as exc:
        raise SkipFile(f"cannot read: {exc.strerror or exc}") from None
    except MemoryError:
        raise SkipFile("not enough memory to read this file") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure on one file must not stop the others
        detail = " ".join(str(exc).split())[:120]
        raise SkipFile(f"could not be read ({type(exc).__name__}{': ' + detail if detail else ''})") from None
    if len(doc.text) > max_chars:
        raise SkipFile(f"{len(doc.text):,} characters of text, over the {max_chars:,} limit (QA_MAX_CHARS)")
    return doc


def _read_file(
    settings: Settings, store: ChunkStore, path: Path, limits: Limits, report: IngestReport, added_by: str, shared: bool
) -> FileResult | ParsedFile:
    started = time.perf_counter()
    doc_id = doc_id_for(path)
    try:
        file_hash = file_digest(path, limits.max_bytes)
    except SkipFile as exc:
        return FileResult(str(path), "skipped", reason=str(exc))
    except OSError as exc:
        return FileResult(str(path), "skipped", reason=f"cannot read: {exc.strerror or exc}")
    record = store.document(doc_id)
    hashes, present, expected = store.doc_state(doc_id)
    intact = record is not None and hashes == {record.doc_hash} and present == expected == record.chunks
    if intact and record is not None and record.file_hash == file_hash:
        return FileResult(str(path), "unchanged")
    try:
        doc = read_document(path, limits, settings.max_chars)
    except SkipFile as exc:
        return FileResult(str(path), "skipped", reason=str(exc))
    doc_hash = hashlib.sha256(doc.text.encode()).hexdigest()
    notes = "; ".join(doc.notes)
    try:
        anatomy = read_anatomy(doc.text)
    except Exception as exc:  # noqa: BLE001 - one file's text must not stop the others
        return FileResult(str(path), "skipped", reason=f"its text could not be read for structure ({type(exc).__name__})")
    info = document_info(doc_id, str(path), doc.title, doc_hash, file_hash, anatomy, max((n for _, n in doc.pages), default=0))
    owner = (record.added_by, record.shared) if record is not None else (added_by, shared)
    info = replace(info, added_by=owner[0], shared=owner[1])
    layout = Layout(doc.title, doc.headings, doc.pages)
    if intact and record is not None and record.doc_hash == doc_hash:
        # The file's bytes changed but its text did not (a re-save): keep the chunks, note the new bytes.
        store.put_document(replace(info, chunks=record.chunks), doc.text, layout)
        report.seconds["parse"] += time.perf_counter() - started
        return FileResult(str(path), "unchanged", reason=notes)
    try:
        chunks = chunk_document(doc, doc_id, str(path), doc_hash, settings.chunk_tokens, settings.chunk_overlap, anatomy)
    except Exception as exc:  # noqa: BLE001 - one file's text must not stop the others
        return FileResult(str(path), "skipped", reason=f"its text could not be cut into chunks ({type(exc).__name__})")
    report.seconds["parse"] += time.perf_counter() - started
    replaces = record is not None or bool(hashes)
    return ParsedFile(replace(info, chunks=len(chunks)), doc.text, layout, chunks, replaces,
                      "updated" if replaces else "added", notes)


def _store_batch(
    store: ChunkStore, embedder: Embedder, cache: EmbeddingCache, waiting: list[FileResult | ParsedFile], report: IngestReport
) -> list[FileResult]:
    """Embed and store the waiting files' chunks together; their results, in file order."""
    parsed = [w for w in waiting if isinstance(w, ParsedFile)]
    if parsed:
        started = time.perf_counter()
        chunks = [c for p in parsed for c in p.chunks]
        vectors = embed_with_cache(embedder, cache, [c.indexed_text for c in chunks], report)
        embedded = time.perf_counter()
        # New chunks go in before the old ones leave, so a crash in between never loses a document.
        store.add(chunks, vectors)
        store.put_documents([(p.info, p.text, p.layout) for p in parsed])
        for p in parsed:
            if p.replaces:
                store.delete_document(p.info.doc_id, keep_hash=p.info.doc_hash)
        report.seconds["embed"] += embedded - started
        report.seconds["store"] += time.perf_counter() - embedded
        report.chunks += len(chunks)
        report.tokens += sum(count_tokens(c.text) for c in chunks)
    return [
        w if isinstance(w, FileResult) else FileResult(w.info.source, w.status, len(w.chunks), reason=w.notes)
        for w in waiting
    ]
