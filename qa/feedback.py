"""Thumbs up/down with an optional comment per answer, stored durably in SQLite."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa.errors import InputError
from qa.results import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    settings_hash TEXT NOT NULL
)
"""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def record(self, answer: Answer, rating: int, comment: str = "") -> int:
        if rating not in (-1, 1):
            raise InputError("Feedback rating must be +1 (helpful) or -1 (not helpful).")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer_json, settings_hash) VALUES (?,?,?,?,?,?)",
                (time.time(), rating, comment.strip()[:2000], answer.question, answer.model_dump_json(),
                 answer.settings_hash),
            )
            return int(cursor.lastrowid or 0)

    def rows(self) -> Iterator[dict[str, Any]]:
        with self._connect() as db:
            for row in db.execute(
                "SELECT id, created, rating, comment, question, answer_json, settings_hash FROM feedback ORDER BY id"
            ):
                yield {
                    "id": row[0], "created": row[1], "rating": row[2], "comment": row[3], "question": row[4],
                    "answer": json.loads(row[5]), "settings_hash": row[6],
                }
