"""The Python API: `Assistant(settings).ingest(paths)` and `.ask(question)`."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from qa.answer.base import Answerer, AnswererUnavailable, AnswerRequest, Draft
from qa.answer.extractive import ExtractiveAnswerer, RefusalGate
from qa.answer.from_metadata import MetadataAnswerer
from qa.answer.generated import ChatModel, GeneratedAnswerer
from qa.answer.meaning import SentenceMeaning
from qa.answer.refusal import load_model
from qa.config import Settings, load_settings
from qa.errors import InputError, QAError
from qa.index.embedders import Embedder, make_embedder
from qa.index.store import ChunkStore
from qa.ingest.pipeline import IngestReport, Progress, ingest_paths
from qa.question import Question, parse_question
from qa.results import Answer, Retrieved, refusal_for
from qa.retrieve.filters import Filters
from qa.retrieve.hybrid import HybridRetriever, Retriever
from qa.text import STOPWORDS, fold
from qa.types import DocumentInfo
from qa.upgrade import CarryOver, carry_over

log = logging.getLogger(__name__)

History = list[tuple[str, str]]
NO_MATCHING_DOCUMENT = "No indexed document matches these filters; `qa documents` lists each document's type, number and date."


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
    model: the model that writes answers, e.g. `qa.llamaindex.LlamaIndexModel(any LlamaIndex LLM)`;
        by default the OpenAI-compatible server the settings name, if they name one.

    Answerers are asked in order until one answers: when a model is configured, the refusal gate
    (which refuses without calling the model when the passages do not answer) and the model; then
    metadata (issue dates, signers, documents by year); then the extractive answerer, which always
    answers.
    """

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None, model: ChatModel | None = None) -> None:
        self.settings = settings or load_settings()
        self.embedder = embedder or make_embedder(self.settings)
        self.store = ChunkStore(self.settings, self.embedder)
        # After an upgrade that changes how files are read or cut, the documents are still in the
        # index the earlier version built: bring them over before anything reads this one.
        self.carried_over: CarryOver | None = None
        try:
            self.carried_over = carry_over(self.settings, self.store, self.embedder)
        except QAError as exc:  # the index still opens; the next start tries again (its note stays)
            log.warning("Could not bring the earlier version's documents over yet: %s", exc)
        self.retriever = HybridRetriever(self.settings, self.store, self.embedder)
        self.llm = GeneratedAnswerer(self.settings, model) if model or self.settings.llm_configured() else None
        extractive = ExtractiveAnswerer(
            self.retriever.lexical, self.settings.refusal_threshold, self.settings.max_quotes,
            load_model() if self.settings.refusal_model else None, SentenceMeaning(self.embedder, self.retriever.queries),
            self.store,
        )
        # Document questions (who signed, when issued, what it replaces) are read from the anatomy
        # first, with or without a model: the quoted line is exact, and the gate would refuse them.
        gated: list[Answerer] = [RefusalGate(extractive), self.llm] if self.llm else []
        self.answerers: list[Answerer] = [MetadataAnswerer(self.store, extractive), *gated, extractive]

    @property
    def backend(self) -> str:
        """Who writes the answers: the model when one is configured, else the extractive answerer."""
        return self.llm.backend if self.llm else self.answerers[-1].backend

    def ingest(
        self, paths: Sequence[str | Path], prune: bool = False, progress: Progress | None = None,
        added_by: str = "", shared: bool = True,
    ) -> IngestReport:
        """Add new files, replace changed ones, skip unchanged ones; with prune, drop vanished ones.
        added_by / shared: a page user's upload, which only that user sees until it is shared."""
        return ingest_paths(self.settings, self.store, self.embedder, [Path(p) for p in paths], prune, progress,
                            added_by, shared)

    def documents(self, viewer: str | None = None) -> list[DocumentInfo]:
        """The documents `viewer` may see: shared ones and their own uploads (None: all)."""
        return [d for d in self.store.documents() if d.visible_to(viewer)]

    def delete(self, doc_id: str) -> None:
        if not any(d.doc_id == doc_id for d in self.documents()):
            raise InputError(f"No document with id {doc_id}; `qa documents` lists them.")
        self.store.delete_document(doc_id)

    def share(self, doc_id: str, shared: bool = True) -> None:
        """Let every user's questions see an upload (shared=False takes it back to its owner)."""
        self.store.set_shared(doc_id, shared)

    def check_question(self, question: str) -> str:
        undecodable = next((i for i, ch in enumerate(question) if "\ud800" <= ch <= "\udfff"), None)
        if undecodable is not None:
            raise InputError(
                f"The question is not valid UTF-8 text (an undecodable byte at character {undecodable + 1}); "
                "type it again, or set the terminal's encoding to UTF-8."
            )
        question = " ".join(question.split())
        if not question:
            raise InputError("The question is empty; type a question about the documents.")
        if len(question) > self.settings.max_question_chars:
            raise InputError(
                f"The question is {len(question)} characters long; the limit is "
                f"{self.settings.max_question_chars} (QA_MAX_QUESTION_CHARS). Shorten it."
            )
        return question

    def parse(self, question: str) -> Question:
        return parse_question(self.check_question(question))

    def retrieve(
        self, question: str, doc_ids: list[str] | None = None, filters: Filters | None = None, viewer: str | None = None
    ) -> list[Retrieved]:
        return self._search(self.parse(question), self._filters(filters, doc_ids), self.store.documents(), viewer)

    def ask(
        self,
        question: str,
        history: History | None = None,
        doc_ids: list[str] | None = None,
        retriever: Retriever | None = None,
        filters: Filters | None = None,
        viewer: str | None = None,
    ) -> Answer:
        """Answer from the documents, or refuse.

        history: earlier (question, answer) pairs, for follow-up questions.
        doc_ids / filters: only these documents (by id; by type, year or document number).
        retriever: another retriever to answer from (the eval harness passes the naive pipeline).
        viewer: the page or API user asking; other users' unshared uploads are never searched
            (None: everything, as for the CLI).
        """
        answer = None
        for part in self._answer(question, history, self._filters(filters, doc_ids), retriever, streaming=False,
                                 viewer=viewer):
            if isinstance(part, Answer):
                answer = part
        assert answer is not None
        return answer

    def ask_stream(
        self, question: str, history: History | None = None, doc_ids: list[str] | None = None,
        filters: Filters | None = None, viewer: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield pieces of answer text as they arrive, then the final Answer with resolved citations."""
        yield from self._answer(question, history, self._filters(filters, doc_ids), None, streaming=True, viewer=viewer)

    def _filters(self, filters: Filters | None, doc_ids: list[str] | None) -> Filters | None:
        if doc_ids:
            filters = replace(filters or Filters(), doc_ids=tuple(doc_ids))
        if filters is not None:
            filters = filters.resolve(self.documents())
        return filters if filters is not None and filters.where() is not None else None

    def _search(
        self, question: Question, filters: Filters | None, documents: list[DocumentInfo], viewer: str | None,
        retriever: Retriever | None = None,
    ) -> list[Retrieved]:
        """Search what `viewer` may see: other users' unshared uploads are left out of the search
        itself, and whatever has no visible document record is dropped after it."""
        hidden = tuple(d.doc_id for d in documents if not d.visible_to(viewer))
        found = (retriever or self.retriever).retrieve(question, self.settings.top_k, self._with_hidden(filters, hidden))
        return self._only_visible(found, documents, viewer)

    @staticmethod
    def _only_visible(found: list[Retrieved], documents: list[DocumentInfo], viewer: str | None) -> list[Retrieved]:
        """The search leaves hidden documents out; this also drops chunks whose document record is
        not there yet (an upload being stored, or one whose ingest failed halfway), which no
        deny-list can name."""
        if viewer is None:
            return found
        visible = {d.doc_id for d in documents if d.visible_to(viewer)}
        return [r for r in found if r.chunk.doc_id in visible]

    @staticmethod
    def _with_hidden(filters: Filters | None, hidden: tuple[str, ...]) -> Filters | None:
        return replace(filters or Filters(), hidden=hidden) if hidden else filters

    def _answer(
        self, asked: str, history: History | None, filters: Filters | None, retriever: Retriever | None,
        streaming: bool, viewer: str | None = None,
    ) -> Iterator[str | Answer]:
        asked = self.check_question(asked)
        started = time.perf_counter()
        standalone = asked
        if history:
            standalone = self.llm.rewrite(asked, history) if self.llm else carry_forward(asked, history)
        question = parse_question(standalone)
        timings: dict[str, float] = {}
        documents = self.store.documents()

        def retrieve() -> list[Retrieved]:
            began = time.perf_counter()
            found = self._search(question, filters, documents, viewer, retriever)
            timings["retrieve"] = time.perf_counter() - began
            return found

        request = AnswerRequest(question, retrieve, whole_index=retriever is None and filters is None, streaming=streaming,
                                hidden=frozenset(d.doc_id for d in documents if not d.visible_to(viewer)))
        notice = ""
        draft: Draft | None = None
        if filters is not None and not request.retrieved:
            notice = NO_MATCHING_DOCUMENT
            draft = Draft(refusal_for(question.language), True, [], 0.0, "extractive")
        for answerer in [] if draft else self.answerers:
            try:
                for part in answerer.answer(request):
                    if isinstance(part, Draft):
                        draft = part
                    elif streaming:
                        yield part
            except AnswererUnavailable as exc:
                if not self.settings.llm_fallback:
                    raise
                notice = f"{exc} This is the extractive answer instead."
                continue
            if draft is not None:
                break
        assert draft is not None, "the extractive answerer always answers"
        timings["total"] = time.perf_counter() - started
        timings.setdefault("retrieve", 0.0)  # an answer read from the anatomy needs no retrieval
        timings["answer"] = timings["total"] - timings["retrieve"]
        unshared = {d.doc_id for d in documents if not d.shared}
        citations = [c.model_copy(update={"shared": False}) if c.doc_id in unshared else c for c in draft.citations]
        yield Answer(
            question=asked, standalone_question=standalone, answer=draft.text, lead=draft.lead or draft.text, refused=draft.refused,
            citations=citations, backend=draft.backend, evidence=round(draft.evidence, 4),
            settings_hash=self.settings.settings_hash(), timings={k: round(v, 4) for k, v in timings.items()},
            sentences=draft.sentences, notice=notice,
            confidence=None if draft.confidence is None else round(draft.confidence, 4),
            signals={k: round(v, 4) for k, v in draft.signals.items()},
        )
