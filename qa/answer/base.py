"""The Answerer protocol: every way of answering (from metadata, generated, extractive) has one shape.

The Assistant asks its answerers in order. An answerer yields pieces of text as it streams and ends
with one Draft, or yields nothing to let the next one answer. An answerer that cannot work right
now (a model that timed out) raises AnswererUnavailable, and the Assistant moves on, saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from qa.errors import QAError
from qa.question import Question
from qa.results import Citation, Retrieved, SentenceSupport
from qa.types import Chunk


class AnswererUnavailable(QAError):
    """An answerer failed in a way another answerer can cover (the message says why)."""


@dataclass(frozen=True)
class Draft:
    text: str
    refused: bool
    citations: list[Citation]
    evidence: float
    backend: str
    sentences: list[SentenceSupport] = field(default_factory=list)
    # The refusal model's probability that this answer is right (None without a model).
    confidence: float | None = None
    signals: dict[str, float] = field(default_factory=dict)
    # The chunks the quotes come from, first quoted first: whole units (a list's items in the next
    # chunk, a row's table header, a passage found inside the best document beyond the top k).
    passages: tuple[Chunk, ...] = ()
    # What answers, at the start of `text`: the best sentence as a whole unit with the answer to
    # each other ask; the rest of the text adds other sentences. Empty: the whole text.
    lead: str = ""


class AnswerRequest:
    """One question on its way through the answerers. Retrieval runs on first use, so an answer
    read from metadata costs no retrieval."""

    def __init__(
        self, question: Question, retrieve: Callable[[], list[Retrieved]], whole_index: bool, streaming: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        self.question = question
        self.streaming = streaming
        self._retrieve = retrieve
        self._retrieved: list[Retrieved] | None = None
        # False when the question is restricted by filters or asked of another retriever: answers
        # that read the whole index (metadata) must then stay out.
        self.whole_index = whole_index
        # Documents the asking user may not see: answers read from the document list skip them too.
        self.hidden = hidden
        # The extractive answer, once worked out (ExtractiveAnswerer.draft): the refusal gate's, reused
        # when the model fails; the passages it quotes are the complete units the model is handed first.
        self.extractive: Draft | None = None

    @property
    def retrieved(self) -> list[Retrieved]:
        # Not functools.cached_property: on Python 3.11 it holds one lock for every instance, so
        # concurrent questions would wait for each other's retrieval (seen under load: one at a time).
        if self._retrieved is None:
            self._retrieved = self._retrieve()
        return self._retrieved


class Answerer(Protocol):
    backend: str

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]: ...
