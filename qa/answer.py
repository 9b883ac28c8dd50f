"""Typed results: an Answer and the Citations that back it."""

from __future__ import annotations

from pydantic import BaseModel, Field

REFUSAL = "The documents do not contain an answer to this question."


class Citation(BaseModel):
    n: int = Field(description="The number used as [n] in the answer text.")
    doc_id: str
    source: str = Field(description="Path of the source file as ingested.")
    title: str
    section: str = ""
    page: int | None = Field(default=None, description="Page number, for paged formats (PDF).")
    start: int = Field(description="Character offset of the quote in the stored document text.")
    end: int
    quote: str = Field(description="Exactly document_text[start:end].")
    score: float


class SentenceSupport(BaseModel):
    """One sentence of a generated answer and whether its cited sources back it."""

    text: str
    citations: list[int]
    supported: bool
    missing: list[str] = Field(default_factory=list, description="Numbers, dates or names not found in its sources.")


class Answer(BaseModel):
    question: str
    standalone_question: str = Field(default="", description="The question as retrieved for (follow-ups rewritten).")
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    backend: str
    evidence: float = Field(description="Strength of the best evidence, compared with the refusal threshold.")
    settings_hash: str
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")
    sentences: list[SentenceSupport] = Field(default_factory=list, description="Per-sentence support (generated answers).")
    notice: str = Field(default="", description="Something the reader should know, e.g. a fallback to extractive.")

    @property
    def unsupported(self) -> list[SentenceSupport]:
        return [s for s in self.sentences if not s.supported]
