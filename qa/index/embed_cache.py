"""Vectors keyed by (embedder, chunk text) hash, so identical text is never embedded twice:
re-ingesting, re-chunking into the same pieces, or the same paragraph in two files."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from qa.index.damage import classify

_Result = TypeVar("_Result")


def is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Damaged file contents, as opposed to a full disk, a lock or a read-only folder."""
    message = str(exc).lower()
    return not isinstance(exc, sqlite3.OperationalError) or "malformed" in message or "not a database" in message


class EmbeddingCache:
    """A damaged cache file is set aside (renamed `*.damaged-<time>`) and a new one started: the
    cache only saves work, so it must never stop an ingest. `set_aside` says where it went."""

    def __init__(self, path: Path, embedder_name: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.set_aside: Path | None = None
        self._prefix = embedder_name + "\0"
        self._guarded(self._connect)

    def _connect(self) -> None:
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _guarded(self, action: Callable[[], _Result]) -> _Result:
        try:
            return action()
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise classify(self.path.parent, exc) from None
        self._start_again()
        return action()

    def _start_again(self) -> None:
        self.close()
        self.set_aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        self.path.rename(self.set_aside)
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        self._connect()

    def healthy(self) -> bool:
        """SQLite's consistency check over the whole file. False when the file was found damaged,
        here or at opening, and so set aside and started again. Costs a read of the whole file: for
        `qa repair`, not every ingest."""
        try:
            ok = self._db.execute("PRAGMA quick_check(1)").fetchall() == [("ok",)]
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise classify(self.path.parent, exc) from None
            ok = False
        if not ok:
            self._start_again()
        return ok and self.set_aside is None

    def key(self, text: str) -> str:
        return hashlib.sha1((self._prefix + text).encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        return self._guarded(lambda: self._get_many(keys))

    def _get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._guarded(lambda: self._put_many(items))

    def _put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def keys(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT key FROM vectors ORDER BY key")]

    def export_npz(self, path: Path, keys: list[str] | None = None) -> int:
        """Write vectors (all, or these keys) to a compressed .npz of float16: small enough to
        commit, so an evaluation corpus is not embedded again on every fresh clone."""
        wanted = sorted(keys if keys is not None else self.keys())
        found = self.get_many(wanted)
        kept = [k for k in wanted if k in found]
        vectors = np.stack([found[k] for k in kept]).astype(np.float16) if kept else np.zeros((0, 0), np.float16)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, keys=np.array(kept), vectors=vectors)
        return len(kept)

    def import_npz(self, path: Path) -> int:
        """Add the vectors of an export_npz file (read without pickle)."""
        with np.load(path, allow_pickle=False) as saved:
            keys = [str(k) for k in saved["keys"]]
            vectors = saved["vectors"].astype(np.float32)
        self.put_many(dict(zip(keys, vectors, strict=True)))
        return len(keys)

    def close(self) -> None:
        if hasattr(self, "_db"):
            self._db.close()
