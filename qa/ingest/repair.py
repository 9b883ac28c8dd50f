"""`qa repair`: rebuild the index from what is intact, without parsing or embedding it again.

The document texts (with the layout chunking needs) are the record; chunks, the vector index, BM25
and the embedding cache are all derived from them. Repair sets a damaged embedding cache aside and
refills it from the vectors Chroma still holds, cuts every document whose chunks are missing or
mixed into chunks again from its stored text (vectors from the cache; only text never embedded is
embedded), drops chunks that belong to no document, and saves BM25 afresh. When Chroma's own
database cannot be opened, the stored texts are gone with it: it is set aside, and the documents
named in the saved BM25 index are read again from their files.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.errors import StoreError
from qa.index.chroma_private import forget_client
from qa.index.embed_cache import EmbeddingCache
from qa.index.embedders import Embedder
from qa.index.lexical import LexicalIndex
from qa.index.lexical_sync import SyncedLexicalIndex
from qa.index.store import ChunkStore, chroma_path
from qa.ingest.anatomy import Anatomy, read_anatomy
from qa.ingest.chunking import chunk_document
from qa.ingest.pipeline import (
    IngestReport,
    embed_with_cache,
    file_digest,
    index_lock,
    ingest_paths,
    limits_for,
    open_embedding_cache,
    read_document,
)
from qa.ingest.registry import SkipFile
from qa.types import DocumentInfo, Layout, LoadedDocument


@dataclass
class RepairReport:
    intact: int = 0
    rebuilt: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # documents that could not be rebuilt: ingest their files again
    orphans: int = 0
    embedded: int = 0
    cache_refilled: int = 0
    actions: list[str] = field(default_factory=list)


def repair(settings: Settings, embedder: Embedder, delete_carried: bool | None = None) -> RepairReport:
    """`delete_carried`: delete the earlier indexes brought over to this one. By default yes on disk,
    no on a Chroma server, where another deployment with the same prefix may still be using one."""
    report = RepairReport()
    with index_lock(settings):
        cache = open_embedding_cache(settings)
        if not cache.healthy():
            report.actions.append(f"the embedding cache was damaged: set aside as {cache.set_aside}, started again")
        try:
            store = ChunkStore(settings, embedder)
        except StoreError:
            cache.close()
            if settings.chroma_url or not chroma_path(settings).exists():
                raise
            sources = _set_chroma_aside(settings, report)
        else:
            try:
                _rebuild_chunks(settings, store, embedder, cache, report)
            finally:
                cache.close()
            for saved in settings.index_dir.glob(f"bm25-{store.name}-*.npz"):
                saved.unlink()
            SyncedLexicalIndex(settings, store).persist()
            report.actions.append("BM25 built again from the stored chunks and saved")
            _settle_earlier_versions(settings, embedder, store, report)
            delete = (settings.chroma_url is None) if delete_carried is None else delete_carried
            for name in store.carried_indexes():
                if not delete:
                    report.actions.append(f"kept {name}, an earlier version's index already brought over to this one: on a "
                                          "shared Chroma server another deployment may still use it; `qa repair "
                                          "--delete-carried` deletes it")
                    continue
                store.drop_index(name)
                for saved in settings.index_dir.glob(f"bm25-{name}-*.npz"):
                    saved.unlink()
                report.actions.append(f"deleted {name}, an earlier version's index already brought over to this one")
            return report
    _read_files_again(settings, embedder, sources, report)  # ingest_paths takes the lock itself
    return report


def _settle_earlier_versions(settings: Settings, embedder: Embedder, store: ChunkStore, report: RepairReport) -> None:
    """Earlier versions' indexes not marked as brought over (one that could not all come over, or
    an older one passed by): one whose every document this index now holds is marked as brought
    over (and deleted with the others); the rest are kept, and said so, with what they still hold."""
    held = store.documents()
    # The same document: by id, or by its file's or its text's hash when added again from elsewhere.
    present = {d.doc_id for d in held} | {d.file_hash for d in held if d.file_hash} | {d.doc_hash for d in held if d.doc_hash}
    for name, _ in store.earlier_versions():
        earlier = ChunkStore(settings, embedder, name=name)
        missing = [d for d in earlier.documents() if not {d.doc_id, d.file_hash, d.doc_hash} & present]
        if not missing:
            earlier.mark_carried(store.name)
            continue
        shown = ", ".join(Path(d.source).name for d in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        report.actions.append(f"kept {name}, an earlier version's index: {len(missing)} of its documents are not in this "
                              f"one ({shown}); add their files again with `qa ingest`, and `qa repair` then deletes it")


def _vector_index_readable(store: ChunkStore, dimensions: int) -> bool:
    if store.count() == 0:
        return True
    try:
        store.nearest(np.ones(dimensions, dtype=np.float32) / np.sqrt(dimensions), 1)
    except StoreError:
        return False
    return True


def _rebuild_chunks(settings: Settings, store: ChunkStore, embedder: Embedder, cache: EmbeddingCache, report: RepairReport) -> None:
    docs = store.documents()
    if not _vector_index_readable(store, embedder.dim):
        store.reset_chunks()
        report.actions.append("the vector index could not be searched: every document's chunks were rebuilt")
    known = {d.doc_id for d in docs}
    orphans = sorted({c.doc_id for c in store.iter_chunks()} - known)
    for doc_id in orphans:
        store.delete_document(doc_id)
    report.orphans = len(orphans)
    counting = IngestReport()
    for doc in docs:
        stored = store.chunk_vectors(doc.doc_id)
        fresh = {k: v for k, v in ((cache.key(t), v) for t, v in stored.items()) if v.size}
        missing = set(fresh) - set(cache.get_many(list(fresh)))
        if missing:
            cache.put_many({k: fresh[k] for k in missing})
            report.cache_refilled += len(missing)
        hashes, present, expected = store.doc_state(doc.doc_id)
        if hashes == {doc.doc_hash} and present == expected == doc.chunks:
            report.intact += 1
            continue
        loaded = stored_document(settings, store, doc)
        if loaded is None:
            report.lost.append(doc.source)
            continue
        cut_again(settings, store, embedder, cache, loaded, doc, read_anatomy(loaded.text), counting)
        store.delete_document(doc.doc_id, keep_hash=doc.doc_hash)
        report.rebuilt.append(doc.source)
    report.embedded = counting.embedded


def cut_again(
    settings: Settings, store: ChunkStore, embedder: Embedder, cache: EmbeddingCache, loaded: LoadedDocument, doc: DocumentInfo,
    anatomy: Anatomy, counting: IngestReport,
) -> None:
    """Cut a document's text into chunks again, embed only what the cache lacks, and store the
    chunks and the document's record (`doc`, its chunk count filled in)."""
    chunks = chunk_document(loaded, doc.doc_id, doc.source, doc.doc_hash, settings.chunk_tokens, settings.chunk_overlap, anatomy)
    store.add(chunks, embed_with_cache(embedder, cache, [c.indexed_text for c in chunks], counting))
    store.put_document(replace(doc, chunks=len(chunks)), loaded.text, Layout(loaded.title, loaded.headings, loaded.pages))


def stored_document(settings: Settings, store: ChunkStore, doc: DocumentInfo) -> LoadedDocument | None:
    """The document as its loader read it: the stored text and layout, or (for documents stored
    before layouts were) its file read again when the file is unchanged."""
    text = store.document_text(doc.doc_id)
    if not text or hashlib.sha256(text.encode()).hexdigest() != doc.doc_hash:
        return None
    layout = store.document_layout(doc.doc_id)
    if layout is not None:
        return LoadedDocument(text, layout.title, layout.headings, layout.pages)
    limits = limits_for(settings)
    try:
        if file_digest(Path(doc.source), limits.max_bytes) != doc.file_hash:
            return None
        loaded = read_document(Path(doc.source), limits, settings.max_chars)
    except (SkipFile, OSError):
        return None
    return loaded if loaded.text == text else None


def _set_chroma_aside(settings: Settings, report: RepairReport) -> list[str]:
    """Move the unreadable Chroma folder aside; the files its documents came from, as the saved
    BM25 index (which keeps every chunk's source) names them."""
    sources = sorted({c.source for saved in settings.index_dir.glob("bm25-*.npz") if (found := LexicalIndex.load(saved))
                      for c in found[0].chunks if c is not None})
    folder = chroma_path(settings)
    aside = folder.with_name(f"{folder.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.rename(aside)
    forget_client(str(folder))  # a System that failed to open must not be reused for the new database
    for saved in settings.index_dir.glob("bm25-*.npz"):
        saved.unlink()
    report.actions.append(f"Chroma's database could not be opened: set aside as {aside.name}; its documents are read again from their files")
    return sources


def _read_files_again(settings: Settings, embedder: Embedder, sources: list[str], report: RepairReport) -> None:
    present = [Path(s) for s in sources if Path(s).is_file()]
    report.lost = [s for s in sources if not Path(s).is_file()]
    store = ChunkStore(settings, embedder)
    if present:
        ingested = ingest_paths(settings, store, embedder, present)
        report.rebuilt = [f.path for f in ingested.files if f.status in ("added", "updated")]
        report.lost += [f"{f.path} ({f.reason})" for f in ingested.files if f.status == "skipped"]
        report.embedded = ingested.embedded
    SyncedLexicalIndex(settings, store).persist()
