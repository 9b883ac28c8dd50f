"""The Python API: `Assistant(settings).ingest(paths)` and `.ask(question)`."""

from __future__ import annotations

import time
from pathlib import Path

from qa.answer import Answer
from qa.config import Settings, load_settings
from qa.embedders import Embedder, make_embedder
from qa.errors import InputError
from qa.extractive import answer_extractively
from qa.ingest import IngestReport, Progress, ingest_paths
from qa.retrieve import HybridRetriever, Retrieved, Retriever
from qa.store import ChunkStore, DocumentInfo


class Assistant:
    """Answers questions from ingested policy documents, with citations.

    settings: a Settings object; by default read from arguments > QA_* environment > qa.toml.
    """

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or load_settings()
        self.embedder = embedder or make_embedder(self.settings)
        self.store = ChunkStore(self.settings, self.embedder)
        self.retriever = HybridRetriever(self.settings, self.store, self.embedder)

    def ingest(self, paths: list[str | Path], prune: bool = False, progress: Progress | None = None) -> IngestReport:
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

    def retrieve(self, question: str, doc_ids: list[str] | None = None) -> list[Retrieved]:
        return self.retriever.retrieve(self.check_question(question), self.settings.top_k, doc_ids)

    def ask(self, question: str, doc_ids: list[str] | None = None, retriever: Retriever | None = None) -> Answer:
        """Answer from the documents (optionally only those in doc_ids), or refuse.

        retriever: another retriever to answer from (the eval harness passes the naive pipeline).
        """
        question = self.check_question(question)
        started = time.perf_counter()
        retrieved = (retriever or self.retriever).retrieve(question, self.settings.top_k, doc_ids)
        retrieved_at = time.perf_counter()
        result = answer_extractively(
            question, retrieved, self.retriever.lexical(), self.settings.refusal_threshold, self.settings.max_quotes
        )
        finished = time.perf_counter()
        return Answer(
            question=question,
            answer=result.text,
            refused=result.refused,
            citations=result.citations,
            backend="extractive",
            evidence=round(result.evidence, 4),
            settings_hash=self.settings.settings_hash(),
            timings={
                "retrieve": round(retrieved_at - started, 4),
                "answer": round(finished - retrieved_at, 4),
                "total": round(finished - started, 4),
            },
        )
