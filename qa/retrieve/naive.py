"""The naive baseline: a plain LlamaIndex VectorStoreIndex over the same Chroma collection and
embedder (through qa.llamaindex, the one adapter between our parts and LlamaIndex's), dense top-k
only. The eval harness and the benchmark compare our pipeline against it."""

from __future__ import annotations

from llama_index.core import VectorStoreIndex
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.vector_stores.chroma import ChromaVectorStore

from qa.index.embedders import Embedder
from qa.index.records import chunk_from_record
from qa.index.store import ChunkStore
from qa.llamaindex import LlamaIndexEmbedding
from qa.question import Question
from qa.results import Retrieved
from qa.retrieve.filters import Filters


class NaiveRetriever:
    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        vector_store = ChromaVectorStore(chroma_collection=store.collection)
        self._index = VectorStoreIndex.from_vector_store(vector_store, embed_model=LlamaIndexEmbedding(embedder))

    def retrieve(self, question: Question, k: int, filters: Filters | None = None) -> list[Retrieved]:
        if k <= 0:
            return []
        li_filters = None
        if filters and filters.doc_ids:
            li_filters = MetadataFilters(
                filters=[MetadataFilter(key="doc_id", value=list(filters.doc_ids), operator=FilterOperator.IN)]
            )
        nodes = self._index.as_retriever(similarity_top_k=k, filters=li_filters).retrieve(question.search_text)
        out = []
        for rank, hit in enumerate(nodes):
            chunk = chunk_from_record(hit.node.node_id, hit.node.get_content(), dict(hit.node.metadata))
            out.append(Retrieved(chunk, float(hit.score or 0.0), rank, None, float(hit.score or 0.0)))
        return out
