"""Vectors keyed by (embedder, chunk text) hash, so identical text is never embedded twice:
re-ingesting, re-chunking into the same pieces, or the same paragraph in two files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


class EmbeddingCache:
    def __init__(self, path: Path, embedder_name: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._prefix = embedder_name + "\0"

    def key(self, text: str) -> str:
        return hashlib.sha1((self._prefix + text).encode()).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
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
        self._db.close()
