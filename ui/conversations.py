"""Saved conversations, per user, in SQLite in the index folder (index_dir/conversations.sqlite3).

Each turn keeps the whole Answer (question, text, citations), so a reopened conversation shows its
sources and exports them exactly as they were answered. Without login every visitor is the user "".
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qa.results import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    answer_json TEXT NOT NULL,
    rating INTEGER CHECK (rating IN (-1, 1)),
    PRIMARY KEY (conversation_id, position)
);
"""
TITLE_CHARS = 80


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    title: str
    updated: float


@dataclass
class Turn:
    answer: Answer
    rating: int | None = None


class ConversationStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db
        finally:
            db.close()

    def create(self, owner: str, title: str) -> str:
        conversation_id = uuid.uuid4().hex
        now = time.time()
        with self._connect() as db:
            db.execute("INSERT INTO conversations VALUES (?,?,?,?,?)",
                       (conversation_id, owner, _title(title), now, now))
        return conversation_id

    def owned_by(self, owner: str) -> list[Conversation]:
        with self._connect() as db:
            rows = db.execute("SELECT id, title, updated FROM conversations WHERE owner = ? ORDER BY updated DESC",
                              (owner,)).fetchall()
        return [Conversation(*row) for row in rows]

    def owns(self, owner: str, conversation_id: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM conversations WHERE id = ? AND owner = ?",
                              (conversation_id, owner)).fetchone() is not None

    def title(self, owner: str, conversation_id: str) -> str:
        with self._connect() as db:
            row = db.execute("SELECT title FROM conversations WHERE id = ? AND owner = ?",
                             (conversation_id, owner)).fetchone()
        return str(row[0]) if row else ""

    def turns(self, owner: str, conversation_id: str) -> list[Turn]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT t.answer_json, t.rating FROM turns t JOIN conversations c ON c.id = t.conversation_id "
                "WHERE c.id = ? AND c.owner = ? ORDER BY t.position", (conversation_id, owner)).fetchall()
        return [Turn(Answer.model_validate_json(answer_json), rating) for answer_json, rating in rows]

    def append(self, owner: str, conversation_id: str, answer: Answer) -> int:
        """Adds a turn and returns its position (0 for the first)."""
        with self._connect() as db:
            if db.execute("SELECT 1 FROM conversations WHERE id = ? AND owner = ?",
                          (conversation_id, owner)).fetchone() is None:
                raise KeyError(conversation_id)
            position = db.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)).fetchone()[0]
            db.execute("INSERT INTO turns (conversation_id, position, answer_json) VALUES (?,?,?)",
                       (conversation_id, position, answer.model_dump_json()))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), conversation_id))
        return int(position)

    def rate(self, owner: str, conversation_id: str, position: int, rating: int) -> None:
        with self._connect() as db:
            db.execute("UPDATE turns SET rating = ? WHERE conversation_id = ? AND position = ? AND conversation_id IN "
                       "(SELECT id FROM conversations WHERE owner = ?)", (rating, conversation_id, position, owner))

    def rename(self, owner: str, conversation_id: str, title: str) -> bool:
        if not title.strip():
            return False
        with self._connect() as db:
            changed = db.execute("UPDATE conversations SET title = ? WHERE id = ? AND owner = ?",
                                 (_title(title), conversation_id, owner)).rowcount
        return changed == 1

    def delete(self, owner: str, conversation_id: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?",
                              (conversation_id, owner)).rowcount == 1


def _title(text: str) -> str:
    title = " ".join(text.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
