"""The Python API: `Assistant(settings).ingest(paths)` and `.ask(question)`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from qa.answer import REFUSAL, Answer
from qa.config import Settings, load_settings
from qa.embedders import Embedder, make_embedder
from qa.errors import InputError
from qa.extractive import ExtractiveResult, answer_extractively
from qa.generate import LLMAnswerer, LLMError
from qa.ingest import IngestReport, Progress, ingest_paths
from qa.meta_answer import metadata_answer
from qa.retrieve import Filters, HybridRetriever, Retrieved, Retriever
from qa.store import ChunkStore, DocumentInfo
from qa.text import STOPWORDS, fold
from qa.verify import ground

History = list[tuple[str, str]]


_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|con|va)\b|\b(it|its|they|them|their|this|that|these|those|there|he|she|"
    r"his|her|do|nay|ay|the same)\b"
)


def looks_like_follow_up(question: str) -> bool:
    folded = fold(question)
    return len(folded.split()) <= 3 or _FOLLOW_UP.search(folded) is not None


def carry_forward(question: str, history: History) -> str:
    """Extractive follow-ups: add the previous question's key words the new one lacks.

    Only for questions that lean on the previous one (pronouns, 'and ...', very short), so a new
    topic is never dragged back to the old one.
    """
    if not history or not looks_like_follow_up(question):
        return question
    present = set(fold(question).split())
    previous = re.findall(r"[\w/-]+", history[-1][0])
    extra = [w for w in previous if fold(w) not in STOPWORDS and fold(w) not in present and len(w) > 1]
    return f"{question} ({' '.join(dict.fromkeys(extra))})" if extra else question


class Assistant:
    """Answers questions from ingested policy documents, with citations.

    settings: a Settings object; by default read from arguments > QA_* environment > qa.toml.
    embedder: share one loaded embedder between assistants (tests, benchmarks).
    """

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or load_settings()
        self.embedder = embedder or make_embedder(self.settings)
        self.store = ChunkStore(self.settings, self.embedder)
        self.retriever = HybridRetriever(self.settings, self.store, self.embedder)
        self.llm = LLMAnswerer(self.settings) if self.settings.llm_configured() else None

    @property
    def backend(self) -> str:
        return self.llm.backend if self.llm else "extractive"

    def ingest(self, paths: Sequence[str | Path], prune: bool = False, progress: Progress | None = None) -> IngestReport:
        """Add new files, replace changed ones, skip unchanged ones; with prune, drop vanished ones."""
        return ingest_paths(self.settings, self.store, self.embedder, [Path(p) for p in paths], prune, progress)

    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def delete(self, doc_id: str) -> None:
        if not any(d.doc_id == doc_id for d in self.documents()):
            raise InputError(f"No document with id {doc_id}; `qa documents` lists them.")
        self.store.delete_document(doc_id)

    def check_question(self, question: str) -> str:
        question = " ".join(question.split())
        if not question:
            raise InputError("The question is empty; type a question about the documents.")
        if len(question) > self.settings.max_question_chars:
            raise InputError(
                f"The question is {len(question)} characters long; the limit is "
                f"{self.settings.max_question_chars} (QA_MAX_QUESTION_CHARS). Shorten it."
            )
        return question

    def retrieve(self, question: str, doc_ids: list[str] | None = None, filters: Filters | None = None) -> list[Retrieved]:
        return self.retriever.retrieve(self.check_question(question), self.settings.top_k, _filters(filters, doc_ids))

    def ask(
        self,
        question: str,
        history: History | None = None,
        doc_ids: list[str] | None = None,
        retriever: Retriever | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer from the documents, or refuse.

        history: earlier (question, answer) pairs, for follow-up questions.
        doc_ids / filters: only these documents (by id; by type, year or document number).
        retriever: another retriever to answer from (the eval harness passes the naive pipeline).
        """
        answer = None
        for part in self._answer(question, history, _filters(filters, doc_ids), retriever, streaming=False):
            if isinstance(part, Answer):
                answer = part
        assert answer is not None
        return answer

    def ask_stream(
        self, question: str, history: History | None = None, doc_ids: list[str] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """Yield pieces of answer text as they arrive, then the final Answer with resolved citations."""
        yield from self._answer(question, history, _filters(filters, doc_ids), None, streaming=True)

    def _answer(
        self, question: str, history: History | None, filters: Filters | None, retriever: Retriever | None,
        streaming: bool,
    ) -> Iterator[str | Answer]:
        question = self.check_question(question)
        started = time.perf_counter()
        if history:
            standalone = self.llm.rewrite(question, history) if self.llm else carry_forward(question, history)
        else:
            standalone = question
        result = self._metadata_answer(standalone, retriever, filters) if self.llm is None else None
        retrieved = [] if result else (retriever or self.retriever).retrieve(standalone, self.settings.top_k, filters)
        timings = {"retrieve": time.perf_counter() - started}
        notice = ""
        if filters is not None and not retrieved:
            notice = "No indexed document matches these filters; `qa documents` lists each document's type, number and date."
            result = ExtractiveResult(REFUSAL, True, [], 0.0)
        if self.llm is not None and result is None:
            packed = self.llm.pack(standalone, retrieved)
            try:
                if streaming:
                    pieces = []
                    for piece in self.llm.stream(standalone, packed):
                        pieces.append(piece)
                        yield piece
                    text = "".join(pieces)
                else:
                    text = self.llm.complete(standalone, packed)
            except LLMError as exc:
                if not self.settings.llm_fallback:
                    raise
                notice = f"{exc} This is the extractive answer instead."
            else:
                yield self._generated(question, standalone, text, packed, started, timings)
                return
        if result is None and self.llm is not None:  # the model failed; answer extractively
            result = self._metadata_answer(standalone, retriever, filters)
        if result is None:
            result = answer_extractively(
                standalone, retrieved, self.retriever.lexical(), self.settings.refusal_threshold,
                self.settings.max_quotes,
            )
        if streaming:
            yield result.text
        timings["total"] = time.perf_counter() - started
        yield Answer(
            question=question, standalone_question=standalone, answer=result.text, refused=result.refused,
            citations=result.citations, backend="extractive", evidence=round(result.evidence, 4),
            settings_hash=self.settings.settings_hash(), timings=_rounded(timings), notice=notice,
        )

    def _metadata_answer(self, question: str, retriever: Retriever | None, filters: Filters | None) -> ExtractiveResult | None:
        """Issue dates and documents by year, read from document metadata (no retrieval needed).
        They read the whole index, so not for a restricted question or another retriever."""
        return metadata_answer(question, self.store) if retriever is None and filters is None else None

    def _generated(
        self, question: str, standalone: str, text: str, packed: list[Retrieved], started: float,
        timings: dict[str, float],
    ) -> Answer:
        timings["total"] = time.perf_counter() - started
        common = {
            "question": question, "standalone_question": standalone, "backend": self.backend,
            "settings_hash": self.settings.settings_hash(), "timings": _rounded(timings),
        }
        if REFUSAL.rstrip(".").lower() in text.lower() or not packed:
            return Answer(answer=REFUSAL, refused=True, evidence=0.0, **common)
        cleaned, citations, sentences = ground(text, packed)
        supported = sum(s.supported for s in sentences)
        return Answer(
            answer=cleaned, refused=False, citations=citations, sentences=sentences,
            evidence=round(supported / max(len(sentences), 1), 4), **common,
        )


def _filters(filters: Filters | None, doc_ids: list[str] | None) -> Filters | None:
    if doc_ids:
        filters = replace(filters or Filters(), doc_ids=tuple(doc_ids))
    return filters if filters is not None and filters.where() is not None else None


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    if "total" in timings and "retrieve" in timings:
        timings["answer"] = timings["total"] - timings["retrieve"]
    return {k: round(v, 4) for k, v in timings.items()}
