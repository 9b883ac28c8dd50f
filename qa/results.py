"""What retrieval and answering return: retrieved chunks, citations, answers, and the refusal.

Every quote is an exact slice of the stored (NFC) document text.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from qa.text import language_of
from qa.types import Chunk

REFUSAL = "The documents do not contain an answer to this question."
REFUSAL_VI = "Các tài liệu không chứa câu trả lời cho câu hỏi này."
REFUSALS = (REFUSAL, REFUSAL_VI)


# What heads the passages an answer quotes after its lead, in the question's language.
ALSO = {"en": "Also in the documents:", "vi": "Các đoạn liên quan khác:"}


def refusal_for(language: str) -> str:
    """The one refusal phrase in the question's language."""
    return REFUSAL_VI if language == "vi" else REFUSAL


# --- retrieval -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrieved:
    chunk: Chunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    dense_similarity: float | None


# --- answers ---------------------------------------------------------------------------------


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
    shared: bool = Field(default=True, description="False: from an upload not yet shared, which only its owner sees.")


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
    lead: str = Field(
        default="", description="The start of `answer` that answers: the best passage as a whole unit (a table row under its "
        "header, a list with its items) and the answer to each other ask. The rest adds other passages."
    )
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    backend: str
    evidence: float = Field(description="Strength of the best evidence, compared with the refusal threshold.")
    settings_hash: str
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")
    sentences: list[SentenceSupport] = Field(default_factory=list, description="Per-sentence support (generated answers).")
    notice: str = Field(default="", description="Something the reader should know, e.g. a fallback to extractive.")
    confidence: float | None = Field(
        default=None, description="Probability that the answer is right, from the refusal model (qa/answer/refusal.py)."
    )
    signals: dict[str, float] = Field(default_factory=dict, description="What the refusal model read (extractive answers).")

    @property
    def unsupported(self) -> list[SentenceSupport]:
        return [s for s in self.sentences if not s.supported]

    @property
    def more(self) -> str:
        """What the answer quotes after its lead (other passages that add to it); empty when it is all lead."""
        if not self.lead or self.lead == self.answer or not self.answer.startswith(self.lead):
            return ""
        return self.answer[len(self.lead):].strip()

    def as_text(self, also: str | None = None) -> str:
        """The answer as plain text: its lead, then, after a blank line, what adds to it under `also`
        (by default in the question's language)."""
        if not self.more:
            return self.answer
        return f"{self.lead}\n\n{also or ALSO[language_of(self.question)]} {self.more}"
