"""Paths -> files -> chunks -> vectors -> Chroma, incrementally, with a summary of what happened."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from qa.config import Settings
from qa.errors import InputError
from qa.index.embed_cache import EmbeddingCache
from qa.index.embedders import Embedder
from qa.index.locks import folder_lock
from qa.index.store import ChunkStore
from qa.ingest.chunking import chunk_document, count_tokens
from qa.ingest.metadata import extract_metadata
from qa.ingest.registry import SkipFile, load

Status = Literal["added", "updated", "unchanged", "removed", "skipped"]
Progress = Callable[[int, int, str], None]
EMBED_BATCH = 32


@dataclass(frozen=True)
class FileResult:
    path: str
    status: Status
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    # Seconds spent per stage, and what was produced; qa bench reads these.
    seconds: dict[str, float] = field(default_factory=lambda: {"parse": 0.0, "embed": 0.0, "store": 0.0})
    chunks: int = 0
    tokens: int = 0
    embedded: int = 0

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "removed", "skipped")]
        return ", ".join(parts)


def doc_id_for(path: Path) -> str:
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


def discover(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"No such file or folder: {', '.join(missing)}")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return list(dict.fromkeys(p.resolve() for p in files))


def index_lock(settings: Settings) -> AbstractContextManager[None]:
    """One writer per index: a second ingest fails at once with a clear message."""
    return folder_lock(
        settings.index_dir, "ingest.lock", wait=False,
        busy_message=f"Another ingest is writing to {settings.index_dir}; wait for it to finish and run again.",
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
) -> IngestReport:
    files = discover(paths)
    report = IngestReport()
    max_bytes = int(settings.max_file_mb * 1_000_000)
    with index_lock(settings):
        cache = open_embedding_cache(settings)
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            report.files.append(_ingest_file(settings, store, embedder, cache, path, max_bytes, report))
        cache.close()
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


def _ingest_file(
    settings: Settings, store: ChunkStore, embedder: Embedder, cache: EmbeddingCache, path: Path, max_bytes: int,
    report: IngestReport,
) -> FileResult:
    started = time.perf_counter()
    try:
        doc = load(path, max_bytes)
    except SkipFile as exc:
        return FileResult(str(path), "skipped", reason=str(exc))
    except OSError as exc:
        return FileResult(str(path), "skipped", reason=f"cannot read: {exc.strerror or exc}")
    doc_hash = hashlib.sha256(doc.text.encode()).hexdigest()
    doc_id = doc_id_for(path)
    hashes, present, expected = store.doc_state(doc_id)
    notes = "; ".join(doc.notes)
    if hashes == {doc_hash} and present == expected:
        report.seconds["parse"] += time.perf_counter() - started
        return FileResult(str(path), "unchanged", reason=notes)
    meta = extract_metadata(doc.text)
    chunks = chunk_document(doc, doc_id, str(path), doc_hash, settings.chunk_tokens, settings.chunk_overlap, meta)
    parsed = time.perf_counter()
    vectors = embed_with_cache(embedder, cache, [c.text for c in chunks], report)
    embedded = time.perf_counter()
    # New chunks go in before the old ones leave, so a crash in between never loses the document.
    store.add(chunks, vectors)
    store.delete_document(doc_id, keep_hash=doc_hash)
    report.seconds["parse"] += parsed - started
    report.seconds["embed"] += embedded - parsed
    report.seconds["store"] += time.perf_counter() - embedded
    report.chunks += len(chunks)
    report.tokens += sum(count_tokens(c.text) for c in chunks)
    return FileResult(str(path), "updated" if hashes else "added", len(chunks), reason=notes)
