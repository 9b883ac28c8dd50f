"""One contract, two deployments: embedded Chroma on disk and a real `chroma run` server."""

from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa.index.store import connect
from tests.conftest import SAMPLE, seed_vectors


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "server":
        settings = Settings(index_dir=tmp_path / "idx", chroma_url=request.getfixturevalue("chroma_server"))
        client = connect(settings)
        if settings.collection_name() in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection_name())
        return settings
    return Settings(index_dir=tmp_path / "idx")


def test_store_contract(settings: Settings, embedder, tmp_path: Path, sample_vectors: Path) -> None:
    seed_vectors(settings.index_dir, sample_vectors)  # the store is under test, not the embedding
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "clusters.txt").write_text((SAMPLE / "khanh-hoa-industrial-clusters.txt").read_text(), encoding="utf-8")
    (docs / "ketluan.txt").write_text((SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt").read_text(), encoding="utf-8")

    assistant = Assistant(settings, embedder=embedder)
    assert assistant.ingest([docs]).count("added") == 2
    stored = assistant.store.count()
    assert stored > 5
    assert {Path(d.source).name for d in assistant.documents()} == {"clusters.txt", "ketluan.txt"}

    answer = assistant.ask("How many industrial clusters are planned in Khanh Hoa and with what total area?")
    assert not answer.refused
    assert "669" in answer.answer and "14" in answer.answer
    assert Path(answer.citations[0].source).name == "clusters.txt"

    # The vector index explores as many neighbours as the settings say (Chroma's default gave
    # another nearest 30 from one process to the next); an index made with another value follows.
    assert assistant.store.collection.configuration_json["hnsw"]["ef_search"] == settings.dense_ef_search
    wider = Assistant(settings.model_copy(update={"dense_ef_search": 600}), embedder=embedder)
    assert wider.store.collection.configuration_json["hnsw"]["ef_search"] == 600

    # A second process (a fresh client) sees the same state; re-ingest embeds nothing.
    again = Assistant(settings, embedder=embedder)
    assert again.store.collection.configuration_json["hnsw"]["ef_search"] == settings.dense_ef_search
    assert again.ingest([docs]).count("unchanged") == 2
    assert again.store.count() == stored

    doc = next(d for d in again.documents() if d.source.endswith("ketluan.txt"))
    doc_id = doc.doc_id
    assert again.store.document_chunks(doc_id)[0].end < 2500, "the head spans several chunks"
    head = again.store.document_head_chunks(doc, 2500)
    assert head == [c for c in again.store.document_chunks(doc_id) if c.start < 2500]

    again.delete(doc_id)
    assert [Path(d.source).name for d in again.documents()] == ["clusters.txt"]
    # The first assistant, like another process would, sees the deletion in its document list and BM25.
    assert [Path(d.source).name for d in assistant.documents()] == ["clusters.txt"]
    assert doc_id not in {c.doc_id for c in assistant.retriever.lexical().chunks if c is not None}
    # The BM25 side follows the store: the deleted document is no longer retrievable.
    hits = again.retrieve("Ket luan 544-KL/TU")
    assert all(not h.chunk.source.endswith("ketluan.txt") for h in hits)


def test_the_one_private_chroma_use_still_works(tmp_path: Path) -> None:
    """qa/index/chroma_private.py relies on Chroma keeping one System per persist path, keyed by
    the path string; if Chroma changes that, this fails before a served index goes stale."""
    import chromadb

    from qa.index.chroma_private import forget_client, has_system

    path = str(tmp_path / "chroma")
    first = chromadb.PersistentClient(path=path, settings=chromadb.Settings(anonymized_telemetry=False))
    first.get_or_create_collection("kept")
    assert has_system(path)
    forget_client(path)
    assert not has_system(path)
    second = chromadb.PersistentClient(path=path, settings=chromadb.Settings(anonymized_telemetry=False))
    assert has_system(path)
    assert [c.name for c in second.list_collections()] == ["kept"]
    assert [c.name for c in first.list_collections()] == ["kept"], "an open client follows the new System"
