"""`qa repair`: a damaged index is rebuilt from the stored texts and the embedding cache, without
parsing or embedding again what is intact.

Each index starts with the sample vectors in its embedding cache (the ingest that builds the index
is set-up here and embeds nothing); the repairs start from what that ingest stored."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from qa import Assistant, Settings
from qa.index.embed_cache import EmbeddingCache
from qa.ingest.repair import repair
from qa.types import Chunk
from tests.conftest import SAMPLE, free_port, seed_vectors

NAMES = ["khanh-hoa-industrial-clusters.txt", "khanh-hoa-ket-luan-544-KL-TU-2024.txt", "ninh-binh-merger-workshop.txt"]


def corpus(folder: Path) -> Path:
    folder.mkdir()
    for name in NAMES:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


def texts_by_source(assistant: Assistant) -> dict[str, list[str]]:
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for chunk in assistant.store.iter_chunks():
        found[Path(chunk.source).name].append((chunk.index, chunk.text))
    return {name: [t for _, t in sorted(pairs)] for name, pairs in found.items()}


def qa(index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(index), *args], capture_output=True, text=True,
                          timeout=600)


def test_lost_chunks_are_rebuilt_from_stored_texts_without_parsing_or_embedding(
    tmp_path: Path, embedder, sample_vectors: Path
) -> None:
    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    assistant = Assistant(settings, embedder=embedder)
    assert assistant.ingest([docs]).embedded == 0
    before = texts_by_source(assistant)
    by_name = {Path(d.source).name: d for d in assistant.documents()}
    store = assistant.store
    clusters = store.document_chunks(by_name[NAMES[0]].doc_id)
    store.collection.delete(ids=[c.chunk_id for c in clusters[:2]])  # some chunks of one document lost
    store.collection.delete(where={"doc_id": by_name[NAMES[1]].doc_id})  # every chunk of another
    ghost = Chunk("ghost:0:0", "ghost", "/gone.txt", "Gone", "", 0, 0, 5, "ghost", "0" * 64)
    store.add([ghost], np.ones((1, embedder.dim), dtype=np.float32))  # a chunk of no document
    shutil.rmtree(docs)  # the files are gone: only the stored texts can rebuild the chunks
    calls = embedder.passage_calls

    report = repair(settings, embedder)

    assert sorted(Path(s).name for s in report.rebuilt) == sorted(NAMES[:2])
    assert (report.intact, report.orphans, report.lost, report.embedded) == (1, 1, [], 0)
    assert embedder.passage_calls == calls
    repaired = Assistant(settings, embedder=embedder)
    assert texts_by_source(repaired) == before
    for doc in repaired.documents():
        hashes, present, expected = repaired.store.doc_state(doc.doc_id)
        assert hashes == {doc.doc_hash} and present == expected == doc.chunks
    assert len(repaired.retriever.lexical()) == repaired.store.count()
    assert "14 industrial clusters" in repaired.ask("How many industrial clusters are planned in Khanh Hoa?").answer


def test_a_damaged_cache_is_set_aside_and_refilled_from_the_index(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    docs = corpus(tmp_path / "docs")
    index = seed_vectors(tmp_path / "idx", sample_vectors)
    assistant = Assistant(Settings(index_dir=index), embedder=embedder)
    assert assistant.ingest([docs]).embedded == 0
    chunk_texts = [c.text for c in assistant.store.iter_chunks()]
    (index / "embeddings.sqlite3").write_bytes(b"not a database " * 1000)
    run = qa(index, "repair")
    assert run.returncode == 0, run.stderr
    assert "the embedding cache was damaged: set aside" in run.stdout
    assert f"Done: 3 intact, 0 rebuilt, 0 lost, 0 stray document(s) removed; 0 chunks embedded, {len(chunk_texts)} vectors" in run.stdout
    cache = EmbeddingCache(index / "embeddings.sqlite3", Settings(index_dir=index).embedder_identity())
    assert len(cache.get_many([cache.key(t) for t in chunk_texts])) == len(set(chunk_texts))


def test_an_unreadable_chroma_database_is_set_aside_and_its_files_read_again(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    docs = corpus(tmp_path / "docs")
    index = seed_vectors(tmp_path / "idx", sample_vectors)
    assistant = Assistant(Settings(index_dir=index), embedder=embedder)
    assert assistant.ingest([docs]).embedded == 0
    assistant.retriever.bm25.persist()
    (index / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    assert qa(index, "documents").returncode == 1
    run = qa(index, "repair")
    assert run.returncode == 0, run.stderr
    assert "Chroma's database could not be opened: set aside as chroma.damaged-" in run.stdout
    assert "Done: 0 intact, 3 rebuilt, 0 lost" in run.stdout and "0 chunks embedded" in run.stdout
    asked = qa(index, "ask", "How many industrial clusters are planned in Khanh Hoa?")
    assert asked.returncode == 0 and "14 industrial clusters" in asked.stdout


def test_an_index_an_earlier_version_built_is_brought_over_with_its_owners(
    tmp_path: Path, embedder, sample_vectors: Path, monkeypatch, caplog
) -> None:
    """After an upgrade that changes how files are read or cut, this version's index is a new,
    empty one: the documents in the earlier version's index come over (files still there read
    again, a file gone cut again from its stored text, nothing embedded again), uploads keep their
    owners, and the earlier index is marked as brought over (a process of the earlier version may
    still read it) until `qa repair` deletes it."""
    from qa.index.store import ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    earlier_name = settings.collection_name().rsplit("-", 1)[0] + "-00000000"
    earlier = ChunkStore(settings, embedder, name=earlier_name)
    ingest_paths(settings, earlier, embedder, [docs / NAMES[0], docs / NAMES[1]])
    ingest_paths(settings, earlier, embedder, [docs / NAMES[2]], added_by="ann", shared=False)
    (docs / NAMES[1]).unlink()  # its file is gone: only its stored text can bring it over

    calls = embedder.passage_calls
    monkeypatch.setattr("qa.upgrade.PROGRESS_LEAST", 1)
    with caplog.at_level("WARNING", logger="qa.upgrade"):
        assistant = Assistant(settings, embedder=embedder)
    assert embedder.passage_calls == calls, "every vector came from the embedding cache"
    told = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Brought over")]
    assert told == ["Brought over 1 of 3 documents so far.", "Brought over 2 of 3 documents so far."], told
    assert assistant.carried_over is not None and assistant.carried_over.earlier == earlier_name
    assert sorted(Path(p).name for p in assistant.carried_over.read_again) == sorted([NAMES[0], NAMES[2]])
    assert [Path(p).name for p in assistant.carried_over.rebuilt] == [NAMES[1]]
    by_name = {Path(d.source).name: d for d in assistant.documents()}
    assert sorted(by_name) == sorted(NAMES)
    assert (by_name[NAMES[2]].added_by, by_name[NAMES[2]].shared) == ("ann", False), "an upload stays its owner's"
    answer = assistant.ask("Sau bao nhiêu năm thực hiện Nghị quyết 06-NQ/TU thì Ban Thường vụ ra kết luận?")
    assert not answer.refused and any(NAMES[1] in c.source for c in answer.citations), "the rebuilt document answers"
    assert earlier.documents() and assistant.store.earlier_versions() == [], "kept for a reader of the earlier version, marked"
    assert Assistant(settings, embedder=embedder).carried_over is None, "once is enough"
    assert any("already brought over" in action for action in repair(settings, embedder).actions)
    names = {c.name for c in assistant.store.client.list_collections()}
    assert earlier_name not in names and f"{earlier_name}-docs" not in names, "qa repair deletes it"


def test_an_earlier_index_that_cannot_all_come_over_is_kept(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    from qa.index.store import ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    earlier = ChunkStore(settings, embedder, name=settings.collection_name().rsplit("-", 1)[0] + "-00000000")
    ingest_paths(settings, earlier, embedder, [docs])
    gone = next(d for d in earlier.documents() if Path(d.source).name == NAMES[0])
    earlier.texts.update(ids=[gone.doc_id], documents=["not the text it was cut from"], embeddings=[[0.0]])
    (docs / NAMES[0]).unlink()

    assistant = Assistant(settings, embedder=embedder)
    assert assistant.carried_over is not None and [Path(p).name for p in assistant.carried_over.lost] == [
        f"{NAMES[0]} (its file is gone and its stored text does not match it)"]
    assert "qa ingest" in assistant.carried_over.summary()
    assert len(assistant.documents()) == len(NAMES) - 1
    assert [name for name, _ in assistant.store.earlier_versions()] == [earlier.name], "not marked: a document is only there"
    kept = repair(settings, embedder)
    assert earlier.name in {c.name for c in assistant.store.client.list_collections()}, "and qa repair keeps it"
    assert any(a.startswith(f"kept {earlier.name}") and f"1 of its documents are not in this one ({NAMES[0]})" in a
               for a in kept.actions), kept.actions
    # Its file added again: the earlier index holds nothing this one lacks, and the next repair deletes it.
    corpus(tmp_path / "again")
    assistant.ingest([tmp_path / "again" / NAMES[0]])
    repair(settings, embedder)
    assert earlier.name not in {c.name for c in assistant.store.client.list_collections()}


def test_an_index_emptied_on_purpose_stays_empty_and_a_carry_over_cut_short_is_taken_up(
    tmp_path: Path, embedder, sample_vectors: Path
) -> None:
    from qa.index.store import ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    earlier_name = settings.collection_name().rsplit("-", 1)[0] + "-00000000"
    earlier = ChunkStore(settings, embedder, name=earlier_name)
    ingest_paths(settings, earlier, embedder, [docs])
    # Cut short: one document came over, then the process stopped (its note is left behind).
    store = ChunkStore(settings, embedder)
    ingest_paths(settings, store, embedder, [docs / NAMES[0]])
    note = settings.index_dir / f"carry-over-{store.name}.txt"
    note.write_text(earlier_name, encoding="utf-8")
    assistant = Assistant(settings, embedder=embedder)
    assert assistant.carried_over is not None and len(assistant.documents()) == len(NAMES)
    assert not note.exists(), "done: the note goes"
    # Every document deleted on purpose: an earlier index (another one, left over) does not refill it.
    again = ChunkStore(settings, embedder, name=settings.collection_name().rsplit("-", 1)[0] + "-11111111")
    ingest_paths(settings, again, embedder, [docs / NAMES[1]])
    for doc in assistant.documents():
        assistant.delete(doc.doc_id)
    reopened = Assistant(settings, embedder=embedder)
    assert reopened.carried_over is None and reopened.documents() == []


def test_an_earlier_index_emptied_on_purpose_is_followed_not_an_older_one(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    from qa.index.store import ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    stem = settings.collection_name().rsplit("-", 1)[0]
    older = ChunkStore(settings, embedder, name=f"{stem}-aaaaaaaa")
    ingest_paths(settings, older, embedder, [docs / NAMES[0]])
    emptied = ChunkStore(settings, embedder, name=f"{stem}-bbbbbbbb")  # the version before this one
    ingest_paths(settings, emptied, embedder, [docs / NAMES[1]])
    for doc in emptied.documents():
        emptied.delete_document(doc.doc_id)
    assistant = Assistant(settings, embedder=embedder)
    assert assistant.carried_over is None and assistant.documents() == []


def test_an_index_rolled_back_to_is_in_use_again_and_another_paid_models_index_is_not_re_embedded(
    tmp_path: Path, embedder, sample_vectors: Path
) -> None:
    """A version rolled back (or an embedding model switched back) opens an index that had been
    brought over to another: it is the one in use again, so its `qa repair` must not delete it. And
    an index another OpenAI embedding model made is a setting switched, not an upgrade: it is not
    brought over, which would embed every document again at a cost."""
    from qa.index.store import EMBEDDER, ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors))
    assistant = Assistant(settings, embedder=embedder)
    assistant.ingest([docs / NAMES[0]])
    assistant.store.mark_carried(settings.collection_name().rsplit("-", 1)[0] + "-99999999")  # a later version took it over
    assert ChunkStore(settings, embedder).carried_indexes() == [], "never the store's own index"
    repair(settings, embedder)
    assert [Path(d.source).name for d in Assistant(settings, embedder=embedder).documents()] == [NAMES[0]]

    stem = settings.collection_name().rsplit("-", 1)[0]
    other_model = ChunkStore(settings, embedder, name=f"{stem}-aaaaaaaa")
    ingest_paths(settings, other_model, embedder, [docs / NAMES[1]])
    other_model.collection.modify(metadata={EMBEDDER: "openai:text-embedding-3-large"})
    same_kind = ChunkStore(settings, embedder, name=f"{stem}-bbbbbbbb")
    ingest_paths(settings, same_kind, embedder, [docs / NAMES[2]])
    fresh = ChunkStore(settings, embedder, name=f"{stem}-cccccccc")
    assert [name for name, _ in fresh.earlier_versions()] == [f"{stem}-bbbbbbbb"], (
        "a local model's index comes over (re-embedding it costs nothing); another paid model's is kept "
        "(and one marked as brought over is not brought again)")


def test_on_a_shared_chroma_server_repair_keeps_an_index_brought_over_until_asked(
    chroma_server: str, tmp_path: Path, embedder
) -> None:
    """Two deployments with one collection prefix on one server (staging and production): the newer
    one brings the older one's documents over and marks its index, which production still uses.
    Its `qa repair` keeps that index unless told to delete it; and an index brought over to
    another index than this one is never this one's to delete."""
    from qa.index.store import ChunkStore
    from qa.ingest.pipeline import ingest_paths

    docs = corpus(tmp_path / "docs")
    prefix = f"qa{free_port()}"  # this test's own collections on the session's server
    settings = Settings(index_dir=tmp_path / "idx", chroma_url=chroma_server, collection_prefix=prefix)
    stem = settings.collection_name().rsplit("-", 1)[0]
    production = ChunkStore(settings, embedder, name=f"{stem}-00000000")
    ingest_paths(settings, production, embedder, [docs / NAMES[0]])
    elsewhere = ChunkStore(settings, embedder, name=f"{stem}-11111111")
    ingest_paths(settings, elsewhere, embedder, [docs / NAMES[1]])
    elsewhere.mark_carried(f"{stem}-22222222")  # brought over to a third index, not this one

    staging = Assistant(settings, embedder=embedder)
    assert staging.carried_over is not None and staging.carried_over.earlier == production.name
    kept = repair(settings, embedder)
    assert any(action.startswith(f"kept {production.name}") and "--delete-carried" in action for action in kept.actions)
    names = {c.name for c in staging.store.client.list_collections()}
    assert production.name in names and elsewhere.name in names
    assert production.count() > 0, "production still answers from it"
    repair(settings, embedder, delete_carried=True)
    names = {c.name for c in staging.store.client.list_collections()}
    assert production.name not in names and elsewhere.name in names, "asked: only the index brought over to this one goes"
