"""Restrict a question to some documents: by id, type, year of issue or document number, and by
what the anatomy read from each document (issuing body, signer, in force on a date)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qa.text import doc_number_key, fold
from qa.types import Chunk, DocumentInfo

# A document id no document has: what a restriction that matches nothing resolves to.
NO_DOCUMENT = "\u2205"


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    doc_type: str | None = None
    year: int | None = None
    doc_number: str | None = None
    # Document-level: resolved into doc_ids against the stored documents (see resolve).
    issuer: str | None = None
    signer: str | None = None
    in_force_on: str | None = None  # ISO date: documents whose entry into force is on or before it
    # Documents the asking user may not see (other users' unshared uploads): never searched.
    hidden: tuple[str, ...] = ()

    def resolve(self, documents: list[DocumentInfo]) -> Filters:
        """The issuer, signer and in-force restrictions as document ids (folded, partial match:
        'Bắc Ninh' finds 'UBND tỉnh Bắc Ninh'). A document whose effective date was not found is
        not known to be in force."""
        if not (self.issuer or self.signer or self.in_force_on):
            return self
        chosen = [
            d.doc_id for d in documents
            if (not self.doc_ids or d.doc_id in self.doc_ids)
            and (not self.issuer or fold(self.issuer) in fold(d.issuer))
            and (not self.signer or fold(self.signer) in fold(d.signer))
            and (not self.in_force_on or (bool(d.effective) and d.effective <= self.in_force_on))
        ]
        return replace(self, doc_ids=tuple(chosen) or (NO_DOCUMENT,), issuer=None, signer=None, in_force_on=None)

    def where(self) -> dict[str, Any] | None:
        """The same restriction as a Chroma `where` clause (None when nothing is restricted)."""
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.hidden:
            clauses.append({"doc_id": {"$nin": list(self.hidden)}})
        if self.doc_type:
            clauses.append({"doc_type": self.doc_type.lower()})
        if self.year:
            clauses.append({"year": self.year})
        if self.doc_number:
            clauses.append({"doc_number_key": doc_number_key(self.doc_number)})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, chunk: Chunk) -> bool:
        """The same restriction, for chunks held in memory (BM25)."""
        return (
            (not self.doc_ids or chunk.doc_id in self.doc_ids)
            and chunk.doc_id not in self.hidden
            and (not self.doc_type or chunk.doc_type == self.doc_type.lower())
            and (not self.year or chunk.issued[:4] == str(self.year))
            and (not self.doc_number or doc_number_key(chunk.doc_number) == doc_number_key(self.doc_number))
        )
