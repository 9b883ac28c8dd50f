"""The pipeline as LlamaIndex components, for people who build their own LlamaIndex pipelines.

Import this module explicitly (`from qa.llamaindex import PolicyRetriever`): `import qa`, `qa ask`
and `qa serve` never import llama_index, whose import alone takes over 3 seconds.

- PolicyRetriever: our hybrid retrieval as a BaseRetriever. Each node is one chunk; its metadata
  carries doc_id, title, source, page, path (the anatomy path, "Chương II › Điều 5") and start/end,
  the chunk's exact character span in the stored document text (also the node's start_char_idx
  and end_char_idx).
- PolicyQueryEngine: the whole Assistant as a query engine. The Response's source nodes are the
  citations: each node's text is the quote, exactly document_text[start:end].
- LlamaIndexEmbedding: our embedder as a LlamaIndex embedding (the naive baseline uses it).
- LlamaIndexModel: any LlamaIndex LLM (Ollama, vLLM, OpenAILike, ...) as the model that writes
  answers: `Assistant(settings, model=LlamaIndexModel(llm))`, with the same citation and claim checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.base.response.schema import Response
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.llms import LLM
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

from qa.answer.generated import LLMError, Message
from qa.assistant import Assistant
from qa.index.embedders import Embedder
from qa.results import Answer, Citation
from qa.retrieve.filters import Filters
from qa.types import Chunk

# Kept in the metadata for citing, left out of what the LLM and the embedder read.
_SPAN_KEYS = ["doc_id", "source", "start", "end", "chunk_index", "n"]


def chunk_node(chunk: Chunk) -> TextNode:
    """One chunk as a TextNode whose start/end index the stored document text exactly."""
    metadata = {"doc_id": chunk.doc_id, "title": chunk.title, "source": chunk.source, "page": chunk.page,
                "path": chunk.section, "start": chunk.start, "end": chunk.end, "chunk_index": chunk.index}
    return TextNode(id_=chunk.chunk_id, text=chunk.text, metadata=metadata, start_char_idx=chunk.start, end_char_idx=chunk.end,
                    excluded_llm_metadata_keys=_SPAN_KEYS, excluded_embed_metadata_keys=list(metadata))


def citation_node(citation: Citation) -> NodeWithScore:
    """One citation as a node: its text is the quote, exactly document_text[start:end]."""
    metadata = {"n": citation.n, "doc_id": citation.doc_id, "title": citation.title, "source": citation.source,
                "page": citation.page, "path": citation.section, "start": citation.start, "end": citation.end}
    node = TextNode(id_=f"{citation.doc_id}:{citation.start}-{citation.end}", text=citation.quote, metadata=metadata,
                    start_char_idx=citation.start, end_char_idx=citation.end,
                    excluded_llm_metadata_keys=_SPAN_KEYS, excluded_embed_metadata_keys=list(metadata))
    return NodeWithScore(node=node, score=citation.score)


class PolicyRetriever(BaseRetriever):
    """Hybrid retrieval (dense + BM25, fused) over an Assistant's index, as LlamaIndex nodes.

    filters: only documents of this type, year, number or these ids (qa.Filters).
    """

    def __init__(self, assistant: Assistant, filters: Filters | None = None, **kwargs: Any) -> None:
        self._assistant = assistant
        self._filters = filters
        super().__init__(**kwargs)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self._assistant.retrieve(query_bundle.query_str, filters=self._filters)
        return [NodeWithScore(node=chunk_node(hit.chunk), score=hit.score) for hit in found]


class PolicyQueryEngine(CustomQueryEngine):
    """The Assistant as a query engine: an answer that quotes, or the refusal.

    The Response's metadata holds `refused`, `backend`, `confidence` and the whole `answer` (qa.Answer).
    """

    assistant: Any
    filters: Any = None

    def custom_query(self, query_str: str) -> Response:
        answer: Answer = self.assistant.ask(query_str, filters=self.filters)
        return Response(
            response=answer.answer,
            source_nodes=[citation_node(c) for c in answer.citations],
            metadata={"refused": answer.refused, "backend": answer.backend, "confidence": answer.confidence, "answer": answer},
        )


class LlamaIndexEmbedding(BaseEmbedding):
    """Our embedder seen through LlamaIndex's interface (so it never defaults to OpenAI)."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(model_name=embedder.name)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embedder.embed_query(query)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self._embedder.embed_passages([text])[0]]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


_ROLES = {"system": MessageRole.SYSTEM, "user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}


class LlamaIndexModel:
    """Any LlamaIndex LLM as the model of a GeneratedAnswerer. Its answer-length setting is the LLM's
    own (LlamaIndex LLMs take max_tokens when they are made, not per call)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.name = llm.metadata.model_name

    def _messages(self, messages: list[Message]) -> list[ChatMessage]:
        return [ChatMessage(role=_ROLES[m["role"]], content=m["content"]) for m in messages]

    def _fail(self, exc: Exception) -> LLMError:
        # The exception's type only: its text can carry a URL with a key in it.
        return LLMError(f"The model ({self.name}) failed: {type(exc).__name__}. Check that its server is running.")

    def chat(self, messages: list[Message], max_tokens: int) -> str:
        try:
            content = self.llm.chat(self._messages(messages)).message.content
        except Exception as exc:
            raise self._fail(exc) from None
        if not content or not content.strip():
            raise LLMError(f"The model ({self.name}) sent an empty answer.")
        return content

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        try:
            for part in self.llm.stream_chat(self._messages(messages)):
                if part.delta:
                    yield part.delta
        except Exception as exc:
            raise self._fail(exc) from None


__all__ = ["LlamaIndexEmbedding", "LlamaIndexModel", "PolicyQueryEngine", "PolicyRetriever", "chunk_node", "citation_node"]
