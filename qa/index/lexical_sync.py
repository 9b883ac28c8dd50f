"""BM25 kept in step with Chroma: read back from disk at open, then updated chunk by chunk."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.index.lexical import LexicalIndex
from qa.index.store import ChunkStore


class SyncedLexicalIndex:
    # Saving BM25 takes about two seconds at 100k chunks; after a small change, catching up at the
    # next start is cheaper than saving now.
    SAVE_AFTER_CHANGED_CHUNKS = 1000

    def __init__(self, settings: Settings, store: ChunkStore) -> None:
        self.settings = settings
        self.store = store
        self._lexical: LexicalIndex | None = None
        self._lexical_generation: Any = None
        self._saved_generation: Any = None
        self._lock = threading.Lock()

    @property
    def saved_path(self) -> Path:
        where = hashlib.sha256(str(self.settings.chroma_url or "embedded").encode()).hexdigest()[:8]
        return self.settings.index_dir / f"bm25-{self.store.name}-{where}.npz"

    def current(self) -> LexicalIndex:
        """The BM25 index, brought up to date with Chroma (written by this process or another)
        by adding and removing only the chunks that changed. Opening an index reads BM25 back
        from disk when it was saved, instead of tokenising every chunk again."""
        with self._lock:
            generation = self.store.generation()
            if self._lexical is None:
                saved = LexicalIndex.load(self.saved_path)
                if saved is None:
                    self._lexical = LexicalIndex(self.store.iter_chunks())
                    self._save(generation)
                else:
                    self._lexical, self._lexical_generation = saved
                    self._saved_generation = self._lexical_generation
            if generation != self._lexical_generation:
                stored, indexed = self.store.chunk_ids(), self._lexical.ids()
                self._lexical.remove(sorted(indexed - stored))
                self._lexical.add(self.store.get_chunks(sorted(stored - indexed)))
                if len(stored ^ indexed) >= self.SAVE_AFTER_CHANGED_CHUNKS:
                    self._save(generation)
            self._lexical_generation = generation
            return self._lexical

    def persist(self) -> None:
        """Bring BM25 up to date and save it, so the next process to open the index reads it
        instead of building it (the CLI's ingest calls this; it takes seconds at 100k chunks)."""
        self.current()
        with self._lock:
            if self._saved_generation != self._lexical_generation:
                self._save(self._lexical_generation)

    def _save(self, generation: Any) -> None:
        assert self._lexical is not None
        try:
            # With a Chroma server nothing else may have made this machine's index folder yet.
            self.saved_path.parent.mkdir(parents=True, exist_ok=True)
            self._lexical.save(self.saved_path, generation)
            self._saved_generation = generation
        except OSError:
            pass  # a read-only index folder only costs a rebuild at the next start
