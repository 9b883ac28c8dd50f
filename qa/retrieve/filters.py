"""Restrict a question to some documents: by id, type, year of issue or document number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.text import fold
from qa.types import Chunk


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    doc_type: str | None = None
    year: int | None = None
    doc_number: str | None = None

    def where(self) -> dict[str, Any] | None:
        """The same restriction as a Chroma `where` clause (None when nothing is restricted)."""
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.doc_type:
            clauses.append({"doc_type": self.doc_type.lower()})
        if self.year:
            clauses.append({"year": self.year})
        if self.doc_number:
            clauses.append({"doc_number_key": fold(self.doc_number)})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, chunk: Chunk) -> bool:
        """The same restriction, for chunks held in memory (BM25)."""
        return (
            (not self.doc_ids or chunk.doc_id in self.doc_ids)
            and (not self.doc_type or chunk.doc_type == self.doc_type.lower())
            and (not self.year or chunk.issued[:4] == str(self.year))
            and (not self.doc_number or fold(chunk.doc_number) == fold(self.doc_number))
        )
