"""Our updatable BM25 against bm25s as the oracle, and the retriever keeping it in step with Chroma."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from qa.index.lexical import LexicalIndex
from qa.ingest.chunking import chunk_document
from qa.ingest.registry import Limits, load
from qa.text import terms
from qa.types import Chunk
from tests.conftest import SAMPLE

QUERIES = [
    "How many industrial clusters, 669 hectares?",
    "Nghị quyết 06-NQ/TU",
    "Ket luan 544-KL/TU ngay ban hanh",
    "growth rate growth rate economy",  # a repeated term counts twice in bm25s too
    "tourism Nha Trang airport",
]


def sample_chunks() -> list[Chunk]:
    chunks: list[Chunk] = []
    for path in sorted(SAMPLE.glob("*.txt")):
        chunks += chunk_document(load(path, Limits(10**7)), path.stem, str(path), "h" * 16, 120, 20)
    return chunks


def oracle_scores(chunks: list[Chunk], query: str) -> np.ndarray:
    index = bm25s.BM25()
    index.index([terms(c.searched_text) for c in chunks], show_progress=False)
    known = [t for t in terms(query) if t in index.vocab_dict]
    return np.asarray(index.get_scores(known), dtype=np.float32) if known else np.zeros(len(chunks), np.float32)


def live_scores(index: LexicalIndex, query: str) -> dict[str, float]:
    return {c.chunk_id: s for c, s in index.search(terms(query), 10**6)}


@pytest.mark.parametrize("query", QUERIES)
def test_scores_match_bm25s(query: str) -> None:
    chunks = sample_chunks()
    expected = oracle_scores(chunks, query)
    assert expected.max() > 0, "the query must hit something for the comparison to mean anything"
    got = live_scores(LexicalIndex(chunks), query)
    want = {c.chunk_id: float(s) for c, s in zip(chunks, expected, strict=True) if s > 0}
    assert got.keys() == want.keys()
    assert all(got[k] == pytest.approx(want[k], rel=1e-4) for k in want)


def test_removing_and_adding_equals_building_afresh() -> None:
    chunks = sample_chunks()
    clusters = [c for c in chunks if "industrial-clusters" in c.source]
    others = [c for c in chunks if c not in clusters]
    index = LexicalIndex(chunks)
    doc = clusters[0].doc_id
    assert index.document_mentions(doc, {"khanh", "hoa"}) and not index.document_mentions(doc, {"ninh", "thuan"})
    index.remove(c.chunk_id for c in clusters)
    assert not index.document_mentions(doc, {"khanh", "hoa"})
    for query in QUERIES:
        assert live_scores(index, query) == pytest.approx(live_scores(LexicalIndex(others), query), rel=1e-5)
    assert not any("industrial-clusters" in c.source for c, _ in index.search(terms("industrial clusters"), 100))
    index.add(clusters)
    assert len(index) == len(chunks)
    for query in QUERIES:
        assert live_scores(index, query) == pytest.approx(live_scores(LexicalIndex(chunks), query), rel=1e-5)


def test_compaction_after_many_removals_keeps_scores() -> None:
    filler = [Chunk(f"f{i}", "f", "f.txt", "F", "", i, 0, 20, f"filler word{i % 50} harbour", "filler") for i in range(1500)]
    chunks = sample_chunks()
    index = LexicalIndex(filler + chunks)
    index.remove(c.chunk_id for c in filler)
    assert len(index.chunks) == len(chunks), "slots of removed chunks were reclaimed"
    for query in QUERIES:
        assert live_scores(index, query) == pytest.approx(live_scores(LexicalIndex(chunks), query), rel=1e-5)


def test_retriever_updates_bm25_in_place_when_documents_change(tmp_path: Path, embedder) -> None:
    from qa import Assistant, Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The harbour dredging budget is 12 billion dong.\n", encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assistant.ingest([docs])
    lexical = assistant.retriever.lexical()
    assert [c.text for c, _ in lexical.search(terms("dredging"), 5)]

    (docs / "b.txt").write_text("The lighthouse repair starts in March 2026.\n", encoding="utf-8")
    assistant.ingest([docs])
    assert assistant.retriever.lexical() is lexical, "updated, not rebuilt"
    assert [c.source for c, _ in lexical.search(terms("lighthouse"), 5)] == [str((docs / "b.txt").resolve())]

    (docs / "a.txt").unlink()
    assistant.ingest([docs], prune=True)
    assert not assistant.retriever.lexical().search(terms("dredging"), 5)
    assert len(lexical) == assistant.store.count() == 1


def test_saved_index_reads_back_with_the_same_scores(tmp_path: Path) -> None:
    chunks = sample_chunks()
    index = LexicalIndex(chunks)
    index.remove([chunks[0].chunk_id])
    index.save(tmp_path / "bm25.npz", generation=42)
    loaded, generation = LexicalIndex.load(tmp_path / "bm25.npz")  # type: ignore[misc]
    assert generation == 42 and len(loaded) == len(chunks) - 1
    for query in QUERIES:
        assert live_scores(loaded, query) == pytest.approx(live_scores(index, query), rel=1e-6)
    loaded.add(chunks[:1])  # still updatable in place
    assert len(loaded) == len(chunks)

    (tmp_path / "torn.npz").write_bytes((tmp_path / "bm25.npz").read_bytes()[:1000])
    assert LexicalIndex.load(tmp_path / "torn.npz") is None
    assert LexicalIndex.load(tmp_path / "missing.npz") is None
    np.savez(tmp_path / "planted.npz", header=np.array([{"format": "x"}], dtype=object))
    assert LexicalIndex.load(tmp_path / "planted.npz") is None, "never unpickles what it reads"


def test_reopened_index_reads_bm25_from_disk_and_catches_up(tmp_path: Path, embedder, monkeypatch) -> None:
    from qa import Assistant, Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The harbour dredging budget is 12 billion dong.\n", encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index")
    first = Assistant(settings, embedder=embedder)
    first.ingest([docs])
    first.retriever.lexical()
    assert first.retriever.bm25.saved_path.exists()

    (docs / "b.txt").write_text("The lighthouse repair starts in March 2026.\n", encoding="utf-8")
    reopened = Assistant(settings, embedder=embedder)
    reopened.ingest([docs])

    def no_rebuild() -> None:
        raise AssertionError("BM25 was rebuilt from every chunk instead of read from disk")

    monkeypatch.setattr(reopened.store, "iter_chunks", no_rebuild)
    lexical = reopened.retriever.lexical()
    assert [c.source for c, _ in lexical.search(terms("lighthouse"), 5)] == [str((docs / "b.txt").resolve())]
    assert [c.source for c, _ in lexical.search(terms("dredging"), 5)] == [str((docs / "a.txt").resolve())]
    assert len(lexical) == reopened.store.count() == 2


def test_cli_ingest_leaves_bm25_saved_for_the_next_process(tmp_path: Path, embedder) -> None:
    from click.testing import CliRunner

    from qa import Settings
    from qa.cli import cli
    from qa.index.store import ChunkStore
    from qa.retrieve.hybrid import HybridRetriever

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The harbour dredging budget is 12 billion dong.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--index-dir", str(tmp_path / "index"), "ingest", str(docs)])
    assert result.exit_code == 0, result.output
    settings = Settings(index_dir=tmp_path / "index")
    store = ChunkStore(settings, embedder)
    saved = LexicalIndex.load(HybridRetriever(settings, store, embedder).bm25.saved_path)
    assert saved is not None
    index, generation = saved
    assert generation == store.generation()
    assert [c.source for c, _ in index.search(terms("dredging"), 5)] == [str((docs / "a.txt").resolve())]


def test_a_documents_own_search_ranks_only_its_live_chunks() -> None:
    def chunk(chunk_id: str, doc_id: str, text: str) -> Chunk:
        return Chunk(chunk_id, doc_id, f"{doc_id}.txt", doc_id, "", 0, 0, len(text), text, "h")

    index = LexicalIndex([
        chunk("a1", "a", "the port budget is large"), chunk("a2", "a", "the port budget of the port"),
        chunk("b1", "b", "port port port budget budget"), chunk("a3", "a", "nothing relevant here"),
    ])
    assert [c.chunk_id for c, _ in index.search_document(["port", "budget"], "a", 5)] == ["a2", "a1"]
    assert index.search_document(["port"], "missing", 5) == []
    index.remove(["a1", "a2", "a3"])
    assert index.search_document(["port"], "a", 5) == []


def test_a_search_within_one_document_weighs_words_by_their_rarity_in_it() -> None:
    """'faa' and 'airplanes' are in every chunk of the directive (and rare in the whole index): the
    chunk that holds the document's rare words ('estimates', 'affects') is its answer."""
    def chunk(chunk_id: str, doc_id: str, text: str) -> Chunk:
        return Chunk(chunk_id, doc_id, f"{doc_id}.txt", doc_id, "", 0, 0, len(text), text, "h")

    directive = [chunk(f"d{i}", "ad", f"The FAA proposes that airplanes {w} of the FAA airplanes FAA airplanes.") for i, w in
                 enumerate(["inspect wiring", "replace sensors", "test displays"])]
    answer = chunk("d9", "ad", "The FAA estimates that this AD affects 73 airplanes.")
    others = [chunk(f"o{i}", f"other{i}", f"Budget {i} for the port, its estimates and what affects it.") for i in range(30)]
    index = LexicalIndex([*directive, answer, *others])
    words = ["faa", "airplan", "estim", "affect"]
    assert index.search_document(words, "ad", 1)[0][0].chunk_id != "d9", "the whole index's rarity ranks another chunk first"
    assert [c.chunk_id for c, _ in index.search_within(words, "ad", 1)] == ["d9"]
    assert all(c.doc_id == "ad" for c, _ in index.search_within(words, "ad", 10))
    assert index.search_within(words, "missing", 5) == []
    index.remove(["d9"])
    assert "d9" not in [c.chunk_id for c, _ in index.search_within(words, "ad", 10)]


def test_the_terms_each_chunk_holds_are_read_from_the_postings() -> None:
    texts = ["Ủy ban nhân dân cấp tỉnh cấp giấy phép.", "Giấy phép hoạt động dịch vụ việc làm.", "Đê điều và phòng chống thiên tai."]
    chunks = [Chunk(f"c{i}", f"d{i}", f"d{i}.txt", "T", "", 0, 0, len(t), t, "h") for i, t in enumerate(texts)]
    index = LexicalIndex(chunks)
    wanted = ["uy", "ban", "giay", "phep", "de", "dieu", "nowhere"]
    held = index.held_terms(chunks, wanted)
    assert held == [frozenset(terms(t)) & set(wanted) for t in texts]
    assert held[1] == {"giay", "phep"} and index.held_terms([], wanted) == []
