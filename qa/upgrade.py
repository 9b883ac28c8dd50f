"""Carry an index an earlier version of this code built over to this version.

The stored chunks are named after the code that cut them (Settings.collection_name), so after an
upgrade that changes how files are read or cut, the index this version opens is a new, empty one,
while the documents people added are still stored under the earlier name. The first Assistant
opened on such an index brings them over: files that are still where they were added from are read
again by this version; a document whose file is gone is cut again from its stored text and layout.
Vectors come from the embedding cache, so only text that changed is embedded. Owners and sharing
are kept. The earlier index is marked as brought over, not deleted (a process of the earlier version
may still be reading it); `qa repair` deletes it.

Not in qa/ingest/: that code is hashed into the index's name, and a change here must not rename it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.config import Settings
from qa.errors import IndexBusyError
from qa.index.embed_cache import EmbeddingCache
from qa.index.embedders import Embedder
from qa.index.store import ChunkStore
from qa.ingest.anatomy import read_anatomy
from qa.ingest.pipeline import IngestReport, document_info, index_lock, ingest_paths, open_embedding_cache
from qa.ingest.repair import cut_again, stored_document
from qa.types import DocumentInfo

log = logging.getLogger(__name__)

# Rounds of looking again for documents added to the earlier index while this one was filled (by a
# process of the earlier version still running).
ROUNDS = 3
# A carry-over says how far it has come no more often than every so many documents.
PROGRESS_LEAST = 25


@dataclass
class CarryOver:
    earlier: str  # the earlier index's collection name
    read_again: list[str] = field(default_factory=list)  # from their files, by this version
    rebuilt: list[str] = field(default_factory=list)  # files gone: cut again from the stored text
    lost: list[str] = field(default_factory=list)  # neither (with why): still in the earlier index, which is kept

    def summary(self) -> str:
        done = len(self.read_again) + len(self.rebuilt)
        text = (f"The index was built by an earlier version; {done} documents were brought over to this one "
                f"({len(self.read_again)} read again from their files, {len(self.rebuilt)} cut again from their stored text).")
        if self.lost:
            text += (f" {len(self.lost)} could not be ({'; '.join(self.lost[:3])}{'; ...' if len(self.lost) > 3 else ''}): "
                     f"add their files again with `qa ingest`; the earlier index ({self.earlier}) is kept.")
        return text


def carry_over(settings: Settings, store: ChunkStore, embedder: Embedder) -> CarryOver | None:
    """Bring the last written earlier index's documents into `store` when it has never held any;
    None when there is nothing to bring (or another process is bringing it now). An index emptied
    by deleting every document is left empty: it has been written to; and an earlier index emptied
    so is followed, not an older one. A carry-over cut short is taken up again from the note it
    leaves in the index folder."""
    note = settings.index_dir / f"carry-over-{store.name}.txt"
    resumed = note.read_text(encoding="utf-8").strip() if note.is_file() else ""
    if not resumed and (store.generation() is not None or store.count() or store.documents()):
        return None
    earlier = store.earlier_versions()
    if resumed:
        earlier = [(name, n) for name, n in earlier if name == resumed]
    if not earlier or earlier[0][1] == 0:
        note.unlink(missing_ok=True)
        return None
    if store.read_only:
        log.warning("The index was built by an earlier version (%s) and is open read-only: it answers from nothing "
                    "until it is opened once with write access, which brings its %d documents over.", *earlier[0])
        return None
    try:
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(earlier[0][0], encoding="utf-8")
        log.warning("Bringing %d documents over from the index an earlier version built (%s); files still there "
                    "are read again, which may take a while.", earlier[0][1], earlier[0][0])
        report = _bring(settings, store, embedder, ChunkStore(settings, embedder, name=earlier[0][0]))
    except IndexBusyError:
        return None  # another process is writing to the index (bringing it over, most likely)
    note.unlink(missing_ok=True)
    log.warning(report.summary())
    return report


def _bring(settings: Settings, store: ChunkStore, embedder: Embedder, earlier: ChunkStore) -> CarryOver:
    report = CarryOver(earlier.name)
    given_up: set[str] = set()
    for _ in range(ROUNDS):
        present = {d.doc_id for d in store.documents()}
        missing = [d for d in earlier.documents() if d.doc_id not in present and d.doc_id not in given_up]
        if not missing:
            break
        by_owner: dict[tuple[str, bool], list[Path]] = defaultdict(list)
        for doc in missing:
            if Path(doc.source).is_file():
                by_owner[(doc.added_by, doc.shared)].append(Path(doc.source))
        told = _Told(len(missing))
        for (owner, shared), paths in by_owner.items():
            ingested = ingest_paths(settings, store, embedder, paths, added_by=owner, shared=shared, progress=told.progress)
            told.base += len(paths)
            report.read_again += [f.path for f in ingested.files if f.status in ("added", "updated", "unchanged")]
        present = {d.doc_id for d in store.documents()}
        with index_lock(settings):
            cache = open_embedding_cache(settings)
            try:
                for doc in missing:
                    if doc.doc_id not in present:
                        _rebuild(settings, store, embedder, earlier, doc, cache, report, given_up)
                        told.base += 1
                        told.at(told.base)
            finally:
                cache.close()
    if not report.lost:
        earlier.mark_carried(store.name)
    return report


class _Told:
    """Says on stderr how far a carry-over has come, about every tenth of the way (a large index
    takes minutes, and the page does not start before it ends)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.step = max(PROGRESS_LEAST, total // 10)
        self.base = 0  # documents of the groups before the one being read
        self.last = 0

    def progress(self, done: int, _files: int, _name: str) -> None:
        self.at(self.base + done)

    def at(self, done: int) -> None:
        if done - self.last >= self.step and done < self.total:
            self.last = done
            log.warning("Brought over %d of %d documents so far.", done, self.total)


def _rebuild(settings: Settings, store: ChunkStore, embedder: Embedder, earlier: ChunkStore, doc: DocumentInfo,
             cache: EmbeddingCache, report: CarryOver, given_up: set[str]) -> None:
    """Cut one document again from the earlier index's stored text; one that cannot be is lost, not
    a reason to stop the others (or the page from starting)."""
    try:
        loaded = stored_document(settings, earlier, doc)
        if loaded is None:
            given_up.add(doc.doc_id)
            report.lost.append(f"{doc.source} (its file is gone and its stored text does not match it)")
            return
        # Its record read again by this version's anatomy, its owner and sharing as they were.
        anatomy = read_anatomy(loaded.text)
        info = document_info(doc.doc_id, doc.source, loaded.title, doc.doc_hash, doc.file_hash, anatomy,
                             max((n for _, n in loaded.pages), default=0))
        cut_again(settings, store, embedder, cache, loaded, replace(info, added_by=doc.added_by, shared=doc.shared), anatomy,
                  IngestReport())
        report.rebuilt.append(doc.source)
    except Exception as exc:  # noqa: BLE001 - one document must not stop the others
        given_up.add(doc.doc_id)
        report.lost.append(f"{doc.source} ({type(exc).__name__}: {exc})")
