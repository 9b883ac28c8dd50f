"""The Chroma collection holding chunks and their vectors: embedded on disk or a `chroma run` server.

Chroma is the single source of truth. The BM25 index and the document list are derived from it,
so they can never disagree with what is stored.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import numpy as np

from qa.config import Settings
from qa.errors import InputError, StoreError
from qa.index.chroma_private import forget_client
from qa.index.damage import check_database, damaged_error, read_only_error, storage_errors
from qa.index.embedders import OPENAI_DIMENSIONS, Embedder, QAEmbeddingFunction
from qa.index.locks import folder_lock
from qa.index.records import chunk_from_record, chunk_metadata, document_from_metadata, document_metadata
from qa.types import Chunk, DocumentInfo, Heading, Layout, chunk_id_for

log = logging.getLogger(__name__)


def _one_opener_at_a_time(settings: Settings, read_only: bool) -> AbstractContextManager[None]:
    """Two processes opening a new embedded index at once both create Chroma's tables, and one
    fails with "table collections already exists"; a file lock makes the second wait a moment."""
    return nullcontext() if settings.chroma_url or read_only else folder_lock(settings.index_dir, "open.lock", wait=True)


def chroma_path(settings: Settings) -> Path:
    return settings.index_dir / "chroma"


def is_read_only(settings: Settings) -> bool:
    """An embedded index this process may read but not write (a read-only mount, or no permission)."""
    path = chroma_path(settings)
    if settings.chroma_url or not path.is_dir():
        return False
    database = path / "chroma.sqlite3"
    return not all(os.access(p, os.W_OK) for p in (settings.index_dir, path, database) if p.exists())


def check_not_emptied(path: Path, folder: Path) -> None:
    """An emptied or deleted chroma.sqlite3 beside vector data would open as a new, empty index and
    answer every question with a refusal: say it is damaged instead."""
    database = path / "chroma.sqlite3"
    if path.is_dir() and (not database.exists() or database.stat().st_size == 0):
        if any(child.is_dir() for child in path.iterdir()):
            raise damaged_error(folder, "chroma.sqlite3 is missing or empty, but the vectors of an earlier index are there")


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _guarded(method: _Method) -> _Method:
    """A storage failure inside a ChunkStore method becomes one StoreError that says what to do."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: ChunkStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            with storage_errors(self._settings.index_dir):
                yield from method(self, *args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def call(self: ChunkStore, *args: Any, **kwargs: Any) -> Any:
        with storage_errors(self._settings.index_dir):
            return method(self, *args, **kwargs)

    return call  # type: ignore[return-value]


def connect(settings: Settings, path: Path | None = None) -> Any:
    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception:
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_url}. Start one with "
                f"`chroma run --path DIR --host {url.hostname or '127.0.0.1'} --port {url.port or 8000}`, or point "
                "QA_CHROMA_URL (or --chroma-url) at a running one; leave both unset for the embedded index."
            ) from None
        return client
    path = path or chroma_path(settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the index folder {path}: {exc.strerror}. Set QA_INDEX_DIR.") from None
    check_not_emptied(path, settings.index_dir)
    with storage_errors(settings.index_dir):
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


# The metadata key an earlier version's index carries once brought over to this version's.
CARRIED_TO = "carried_to"
# What made the vectors (Settings.embedder_identity): a paid model's index is not re-embedded by another.
EMBEDDER = "embedder"


class ChunkStore:
    # The last generation each embedded index was stamped with by this process: stores in one process
    # share Chroma's in-memory index, so only a stamp from another process calls for re-opening.
    _stamped_here: dict[str, Any] = {}

    def __init__(self, settings: Settings, embedder: Embedder, name: str | None = None) -> None:
        """name: another collection than the one these settings and this code name (an index an
        earlier version of the code built, carried over by qa/upgrade.py)."""
        self.name = name or settings.collection_name()
        self._settings = settings
        self._embedding_function = QAEmbeddingFunction(embedder)
        self._vector_length = embedder.dim
        self._documents: tuple[Any, list[DocumentInfo]] | None = None
        self._reopen_lock = threading.Lock()
        self.read_only = is_read_only(settings)
        self._path = self._snapshot() if self.read_only else chroma_path(settings)
        # Embedded Chroma shares one System per persist path in a process; the path names it.
        self._identity = settings.chroma_url or str(self._path)
        self._open()

    def _snapshot(self) -> Path:
        """Chroma cannot open a database it may not write, so a read-only index is answered from a
        private copy, removed when this store is."""
        folder = Path(tempfile.mkdtemp(prefix="qa-read-only-index-"))
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        check_not_emptied(chroma_path(self._settings), self._settings.index_dir)
        with storage_errors(self._settings.index_dir):
            shutil.copytree(chroma_path(self._settings), folder / "chroma")
        return folder / "chroma"

    def _check_writable(self) -> None:
        if self.read_only:
            raise read_only_error(self._settings.index_dir)

    def _configuration(self) -> Any:
        return {"hnsw": {"space": "cosine", "ef_search": self._settings.dense_ef_search}}

    def _search_as_configured(self) -> None:
        """An index made before, or with another setting, explores as many neighbours as the
        settings say (ef_search can change after creation; read-only, it stays as stored)."""
        stored = (self.collection.configuration_json or {}).get("hnsw")
        if not isinstance(stored, dict) or stored.get("ef_search") == self._settings.dense_ef_search or self.read_only:
            return  # another index type (a server's SPANN), already so, or not ours to change
        try:
            self.collection.modify(configuration={"hnsw": {"ef_search": self._settings.dense_ef_search}})
        except Exception as exc:  # noqa: BLE001 - a server may refuse; the index still answers, less exactly
            log.warning("Could not set the vector index's ef_search to %s (%s); it searches as stored.",
                        self._settings.dense_ef_search, exc)

    @_guarded
    def _open(self) -> None:
        with _one_opener_at_a_time(self._settings, self.read_only):
            self.client = connect(self._settings, None if self._settings.chroma_url else self._path)
            self.collection = self.client.get_or_create_collection(
                self.name, embedding_function=self._embedding_function, configuration=self._configuration(),
            )
            self._search_as_configured()
            self._claim()
            # One record per document: its exact extracted text and its metadata. Never searched
            # by vector, so each holds a one-dimensional placeholder.
            self.texts = self.client.get_or_create_collection(f"{self.name}-docs", embedding_function=None)
        if not self._settings.chroma_url and self.collection.count() == 0:
            check_database(self._path / "chroma.sqlite3", self._settings.index_dir)
        # The generation this process's view of the vectors reflects.
        self._seen_generation = (self.collection.metadata or {}).get("generation")

    def _claim(self) -> None:
        """Record what made this index's vectors (once; later writes keep it). Only this version's
        own index: another opened by name (an earlier one being brought over) is not its to claim."""
        metadata = dict(self.collection.metadata or {})
        mine = self.name == self._settings.collection_name()
        if self.read_only or not mine or metadata.get(EMBEDDER) == self._settings.embedder_identity():
            return
        try:
            self.collection.modify(metadata={**metadata, EMBEDDER: self._settings.embedder_identity()})
        except Exception as exc:  # noqa: BLE001 - a server may refuse; the index works without the record
            log.warning("Could not record the embedder in the index's metadata (%s).", exc)

    @_guarded
    def count(self) -> int:
        return int(self.collection.count())

    @_guarded
    def earlier_versions(self) -> list[tuple[str, int]]:
        """Indexes of this embedder and these chunk sizes that other versions of the ingest code built
        (their names differ only in the code's digest), not yet brought over to another: (name,
        documents), the last written first, emptied ones included (an index emptied on purpose is
        the one to follow, not an older one). The client's listing is cheap; little is read."""
        stem = self.name.rsplit("-", 1)[0]
        earlier = re.compile(re.escape(stem) + r"-[0-9a-f]{8}")
        identity = self._settings.embedder_identity()
        found = []
        for name in self._indexes():
            if name != self.name and earlier.fullmatch(name):
                metadata = self._metadata_of(name)
                if CARRIED_TO in metadata:
                    continue
                made_by = str(metadata.get(EMBEDDER, ""))
                if (identity.removeprefix("openai:") in OPENAI_DIMENSIONS and not made_by
                        and self._vector_size(name) not in (None, self._vector_length)):
                    made_by = "openai:another model"  # made before the record was kept: its vectors' size says so
                if made_by.startswith("openai:") and made_by != identity:
                    # Another paid embedding model's index (a setting switched, not an upgrade):
                    # bringing it over would embed every document again, at a cost. It is kept.
                    log.warning("The index %s was embedded by %s, not %s: it is kept and not brought over. Switch "
                                "the embedding model back to use it, or add the files again with `qa ingest`.",
                                name, made_by.removeprefix("openai:"), identity.removeprefix("openai:"))
                    continue
                documents = self.client.get_collection(f"{name}-docs", embedding_function=None).count()
                written = metadata.get("generation")
                found.append((int(written) if isinstance(written, int) else 0, name, documents))
        return [(name, documents) for _, name, documents in sorted(found, reverse=True)]

    @_guarded
    def mark_carried(self, to: str) -> None:
        """Mark this (earlier) index as brought over to `to`: never carried again, and `qa repair`
        deletes it. Not deleted here: a process of the earlier version may still be reading it."""
        self.collection.modify(metadata={CARRIED_TO: to})

    @_guarded
    def carried_indexes(self) -> list[str]:
        """Earlier indexes marked as brought over to this one (mark_carried): not one brought over to
        another (a deployment sharing the server may read it), nor this one itself."""
        return [name for name in self._indexes() if name != self.name and self._metadata_of(name).get(CARRIED_TO) == self.name]

    def _indexes(self) -> list[str]:
        """The names of the indexes the client holds: chunk collections with their '-docs' partner."""
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        return sorted(name for name in names if f"{name}-docs" in names)

    def _vector_size(self, name: str) -> int | None:
        """The length of an index's vectors, from one of them; None when it holds none."""
        found = self.client.get_collection(name, embedding_function=None).get(limit=1, include=["embeddings"])
        vectors = found.get("embeddings")
        return len(vectors[0]) if vectors is not None and len(vectors) else None

    def _metadata_of(self, name: str) -> dict[str, Any]:
        return dict(self.client.get_collection(name, embedding_function=None).metadata or {})

    def drop_index(self, name: str) -> None:
        """Delete an index's chunks and document records (one already brought over)."""
        self._check_writable()
        for collection in (name, f"{name}-docs"):
            try:
                self.client.delete_collection(collection)
            except Exception:  # noqa: BLE001 - already gone (another process deleted it first)
                log.info("The collection %s was already deleted.", collection)

    @_guarded
    def generation(self) -> Any:
        """Changes whenever the stored chunks change (from this process or another): every write
        goes through add() or delete_document(), which stamp it. Asked before every question, so
        it reads only the collection's metadata (a count costs milliseconds at 100k chunks)."""
        fresh = self.client.get_collection(self.name, embedding_function=self._embedding_function)
        if fresh.id != self.collection.id:
            # Made again (`qa repair` on another machine, or in another process): the old handle
            # names a collection that no longer exists.
            self.collection = fresh
        generation = (fresh.metadata or {}).get("generation")
        if (
            generation != self._seen_generation
            and not self._settings.chroma_url
            and generation != ChunkStore._stamped_here.get(self._identity)
        ):
            self._reopen(generation)
        return generation

    def _reopen(self, generation: Any) -> None:
        """Embedded Chroma keeps its vector index in memory per process: after another process (a
        `qa ingest` beside `qa serve`) writes, this process's dense search would not see the new
        chunks until it opens the index again. Text and metadata are read fresh either way."""
        with self._reopen_lock:
            if generation == self._seen_generation:
                return
            forget_client(self._identity)
            self._open()

    def _bump_generation(self) -> None:
        stamp = time.time_ns()
        self.collection.modify(metadata={"generation": stamp, EMBEDDER: self._settings.embedder_identity()})
        self._seen_generation = stamp
        ChunkStore._stamped_here[self._identity] = stamp

    @_guarded
    def doc_state(self, doc_id: str) -> tuple[set[str], int, int]:
        """(content hashes present, chunks present, chunks expected) for one document.

        A clean document has one hash and all its chunks; anything else is what an interrupted
        ingest left behind, and the next ingest repairs it.
        """
        found = self.collection.get(where={"doc_id": doc_id}, include=["metadatas"])
        metas = found["metadatas"] or []
        hashes = {str(m["doc_hash"]) for m in metas}
        expected = max((int(m["doc_chunks"]) for m in metas), default=0)
        return hashes, len(metas), expected

    @_guarded
    def document(self, doc_id: str) -> DocumentInfo | None:
        found = self.texts.get(ids=[doc_id], include=["metadatas"])
        metas = found["metadatas"] or []
        return document_from_metadata(dict(metas[0])) if metas else None

    def put_document(self, info: DocumentInfo, text: str, layout: Layout | None = None) -> None:
        self.put_documents([(info, text, layout)])

    @_guarded
    def put_documents(self, documents: Sequence[tuple[DocumentInfo, str, Layout | None]]) -> None:
        """Store documents' exact texts and metadata (after their chunks, so a crash in between
        leaves the old records, and the next ingest parses the files again). With its layout (the
        loader's title, headings and page starts), `qa repair` can cut a document into chunks
        again without its file."""
        self._check_writable()
        metadatas = []
        for info, _, layout in documents:
            metadata = document_metadata(info)
            if layout is not None:
                metadata["layout"] = json.dumps(
                    {"title": layout.title, "headings": [(h.start, h.text) for h in layout.headings], "pages": layout.pages},
                    ensure_ascii=False,
                )
            metadatas.append(metadata)
        self.texts.upsert(ids=[info.doc_id for info, _, _ in documents], documents=[text for _, text, _ in documents],
                          metadatas=metadatas, embeddings=[[0.0]] * len(documents))
        self._bump_generation()

    @_guarded
    def set_shared(self, doc_id: str, shared: bool) -> None:
        """Share an upload with every user (or take it back); its chunks stay as they are, since
        who may see a document is decided per question from this record."""
        self._check_writable()
        found = self.texts.get(ids=[doc_id], include=["metadatas"])
        metas = found["metadatas"] or []
        if not metas:
            raise InputError(f"No document with id {doc_id}; `qa documents` lists them.")
        self.texts.update(ids=[doc_id], metadatas=[{**metas[0], "shared": shared}])
        self._bump_generation()

    @_guarded
    def document_layout(self, doc_id: str) -> Layout | None:
        found = self.texts.get(ids=[doc_id], include=["metadatas"])
        metas = found["metadatas"] or []
        saved = metas[0].get("layout") if metas else None
        if not saved:
            return None
        layout = json.loads(str(saved))
        return Layout(str(layout["title"]), [Heading(int(o), str(t)) for o, t in layout["headings"]],
                      [(int(o), int(n)) for o, n in layout["pages"]])

    @_guarded
    def chunk_vectors(self, doc_id: str) -> dict[str, np.ndarray]:
        """The stored vector of each of a document's chunks, by the text it was embedded from (indexed_text)."""
        found = self.collection.get(where={"doc_id": doc_id}, include=["documents", "embeddings", "metadatas"])
        embeddings = found["embeddings"] if found["embeddings"] is not None else []
        embedded = [chunk_from_record(chunk_id, str(text), dict(meta or {})).indexed_text
                    for chunk_id, text, meta in zip(found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True)]
        return {text: np.asarray(vector, dtype=np.float32) for text, vector in zip(embedded, embeddings, strict=True)}

    @_guarded
    def reset_chunks(self) -> None:
        """Drop every chunk and its vector index (the document texts stay), for `qa repair` when the
        vector index itself cannot be read."""
        self._check_writable()
        self.client.delete_collection(self.name)
        self.collection = self.client.get_or_create_collection(
            self.name, embedding_function=self._embedding_function, configuration=self._configuration(),
        )
        self._bump_generation()

    @_guarded
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self._check_writable()
        self.generation()  # take in what another process wrote before adding to it
        batch = max(1, min(int(self.client.get_max_batch_size()), 1000))
        per_document = Counter(c.doc_id for c in chunks)
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c, per_document[c.doc_id]) for c in part],
                embeddings=vectors[i : i + batch],
            )
        self._bump_generation()

    @_guarded
    def delete_document(self, doc_id: str, keep_hash: str | None = None) -> None:
        self._check_writable()
        self.generation()
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_hash is not None:
            where = {"$and": [{"doc_id": doc_id}, {"doc_hash": {"$ne": keep_hash}}]}
        self.collection.delete(where=where)
        if keep_hash is None:
            self.texts.delete(ids=[doc_id])
        self._bump_generation()

    @_guarded
    def documents(self) -> list[DocumentInfo]:
        """Every document, sorted by source; kept until the index changes."""
        generation = self.generation()  # read first: a write during the listing makes it stale
        cached = self._documents
        if cached is not None and cached[0] == generation:
            return list(cached[1])
        found = self.texts.get(include=["metadatas"])
        docs = [document_from_metadata(dict(m)) for m in found["metadatas"] or []]
        docs.sort(key=lambda d: (d.source, d.doc_id))
        self._documents = (generation, docs)
        return list(docs)

    @_guarded
    def document_chunks(self, doc_id: str) -> list[Chunk]:
        found = self.collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunks = [
            chunk_from_record(cid, text, dict(meta))
            for cid, text, meta in zip(found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True)
        ]
        return sorted(chunks, key=lambda c: c.start)

    @_guarded
    def document_text(self, doc_id: str) -> str:
        """The document's text exactly as extracted and stored at ingest: every chunk, quote and
        citation offset indexes it."""
        found = self.texts.get(ids=[doc_id], include=["documents"])
        documents = found["documents"] or []
        return str(documents[0]) if documents else ""

    @_guarded
    def document_head_chunks(self, doc: DocumentInfo, chars: int) -> list[Chunk]:
        """The document's first chunks, up to `chars` characters, read by chunk id: a lookup by
        doc_id scans every chunk's metadata, which costs tens of ms at 100k chunks."""
        chunks: list[Chunk] = []
        while len(chunks) < doc.chunks and (not chunks or chunks[-1].end < chars):
            wanted = [chunk_id_for(doc.doc_id, doc.doc_hash, i) for i in range(len(chunks), min(len(chunks) + 4, doc.chunks))]
            found = sorted(self.get_chunks(wanted), key=lambda c: c.index)
            if len(found) < len(wanted):
                return [c for c in self.document_chunks(doc.doc_id) if c.start < chars]  # ids of an older layout
            chunks += found
        return [c for c in chunks if c.start < chars]

    @_guarded
    def chunk_ids(self, page: int = 20000) -> set[str]:
        ids: set[str] = set()
        while True:
            found = self.collection.get(limit=page, offset=len(ids), include=[])["ids"]
            ids.update(found)
            if len(found) < page:
                return ids

    @_guarded
    def get_chunks(self, chunk_ids: Iterable[str], page: int = 2000) -> Iterator[Chunk]:
        wanted = list(chunk_ids)
        for i in range(0, len(wanted), page):
            found = self.collection.get(ids=wanted[i : i + page], include=["documents", "metadatas"])
            for chunk_id, text, meta in zip(found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True):
                yield chunk_from_record(chunk_id, text, dict(meta))

    def neighbour(self, chunk: Chunk, step: int) -> Chunk | None:
        """The chunk `step` places after `chunk` in its document (before it when negative), or None
        past either end."""
        if chunk.index + step < 0:
            return None
        return next(self.get_chunks([chunk_id_for(chunk.doc_id, chunk.doc_hash, chunk.index + step)]), None)

    @_guarded
    def iter_chunks(self, page: int = 2000) -> Iterator[Chunk]:
        offset = 0
        while True:
            found = self.collection.get(limit=page, offset=offset, include=["documents", "metadatas"])
            ids = found["ids"]
            for chunk_id, text, meta in zip(ids, found["documents"] or [], found["metadatas"] or [], strict=True):
                yield chunk_from_record(chunk_id, text, dict(meta))
            if len(ids) < page:
                return
            offset += page

    @_guarded
    def nearest(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine distance) of the n nearest chunks; callers that hold the chunks in
        memory skip fetching text and metadata."""
        if n <= 0:
            return []
        found = self.collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return list(zip(found["ids"][0], (found["distances"] or [[]])[0], strict=True))
