"""Uploads are owned: a page user's upload answers only that user's questions until an admin shares
it, enforced in Chroma's `where` clause and in BM25, on the page and in the API, with two users."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from qa import Assistant, Settings
from qa.retrieve.filters import Filters
from qa.retrieve.hybrid import HybridRetriever
from tests.conftest import SAMPLE, seed_vectors
from ui.actions import PageActions, PageSession
from ui.server import BackgroundServer, create_server

FERRY = "In Khanh Hoa, the Hon Tre ferry fare for a motorbike is 47,000 dong per crossing, set by the Nha Trang port board."
ASK_FERRY = "What is the Hon Tre ferry fare for a motorbike in Khanh Hoa?"


class Uploaded(str):
    """What Gradio hands an upload handler: the temporary path, with the browser's file name."""

    def __new__(cls, path: Path, orig_name: str) -> Uploaded:
        made = super().__new__(cls, str(path))
        made.orig_name = orig_name  # type: ignore[attr-defined]
        return made


@pytest.fixture
def index(tmp_path: Path, embedder, sample_vectors: Path) -> tuple[Settings, str]:
    """The shared sample corpus (as `qa ingest` adds it) and alice's unshared upload. The embedding
    cache starts with the sample vectors: only the upload is embedded here."""
    users = tmp_path / "users.txt"
    users.write_text("alice:alice-pass\nbob:bob-pass\nadmin:admin-pass\n", encoding="utf-8")
    settings = Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors), ui_users_file=users, ui_admins="admin")
    assistant = Assistant(settings, embedder=embedder)
    assistant.ingest([SAMPLE / "khanh-hoa-industrial-clusters.txt"])
    upload = tmp_path / "uploads" / "ferry.txt"
    upload.parent.mkdir()
    upload.write_text(f"Ferry fares\n\n{FERRY}\n", encoding="utf-8")
    assert assistant.ingest([upload], added_by="alice", shared=False).count("added") == 1
    doc_id = next(d.doc_id for d in assistant.documents() if d.source.endswith("ferry.txt"))
    return settings, doc_id


def test_an_unshared_upload_answers_only_its_owner(index: tuple[Settings, str], embedder) -> None:
    settings, ferry = index
    assistant = Assistant(settings, embedder=embedder)
    assert ferry in {d.doc_id for d in assistant.documents("alice")}
    assert ferry not in {d.doc_id for d in assistant.documents("bob")}
    assert next(d for d in assistant.documents() if d.doc_id == ferry).added_by == "alice"

    mine = assistant.ask(ASK_FERRY, viewer="alice")
    assert "47,000" in mine.answer and mine.citations[0].doc_id == ferry
    assert mine.citations[0].shared is False, "the answer marks a passage from an unshared upload"
    theirs = assistant.ask(ASK_FERRY, viewer="bob")
    assert "47,000" not in theirs.answer and all(c.doc_id != ferry for c in theirs.citations)
    # Filtering by the document's id does not reach it either.
    assert "47,000" not in assistant.ask(ASK_FERRY, viewer="bob", doc_ids=[ferry]).answer

    assistant.share(ferry)
    shared = assistant.ask(ASK_FERRY, viewer="bob")
    assert "47,000" in shared.answer and shared.citations[0].shared is True


def test_chunks_without_their_document_record_are_never_quoted(index: tuple[Settings, str], embedder) -> None:
    """An upload being stored (chunks first, record after) or one whose ingest stopped halfway: no
    list of hidden documents names it, so only the documents a user may see are ever quoted."""
    settings, ferry = index
    assistant = Assistant(settings, embedder=embedder)
    assistant.store.texts.delete(ids=[ferry])  # the chunks stay, the record is gone
    assert "47,000" not in assistant.ask(ASK_FERRY, viewer="bob").answer
    assert all(h.chunk.doc_id != ferry for h in assistant.retrieve(ASK_FERRY, viewer="bob"))


def test_without_login_private_uploads_stay_private(index: tuple[Settings, str], embedder) -> None:
    """A server restarted without login (say --read-only on a network) shows only shared documents."""
    settings, ferry = index
    page = PageActions(Assistant(settings.model_copy(update={"ui_users_file": None}), embedder=embedder))
    assert "ferry" not in str(page.lists(PageSession(token="t"), [], None, None)[0])


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_each_search_path_leaves_hidden_documents_out(index: tuple[Settings, str], embedder, mode: str) -> None:
    """Dense search (Chroma's where clause) and BM25 each enforce it on their own."""
    settings, ferry = index
    assistant = Assistant(settings, embedder=embedder)
    retriever = HybridRetriever(settings, assistant.store, embedder, mode=mode)
    question = assistant.parse(ASK_FERRY)
    assert retriever.retrieve(question, 5)[0].chunk.doc_id == ferry, "found when nothing is hidden"
    hidden = retriever.retrieve(question, 50, Filters(hidden=(ferry,)))
    assert hidden and all(h.chunk.doc_id != ferry for h in hidden)


def test_two_users_on_the_page(index: tuple[Settings, str], embedder, tmp_path: Path) -> None:
    settings, ferry = index
    page = PageActions(Assistant(settings, embedder=embedder))

    def session(user: str) -> tuple[PageSession, SimpleNamespace]:
        return PageSession(token="t", user=user), SimpleNamespace(username=user)

    def listed(user: str) -> str:
        return str(page.lists(session(user)[0], [], None, None)[0])

    assert "ferry" in listed("alice") and "ferry" not in listed("bob")
    assert "only you see it" in listed("alice")
    for user in ("alice", "bob"):
        visible = page.assistant.documents(user)
        status = page.status_html("en", visible)
        assert f"{len(visible)} documents, {sum(d.chunks for d in visible)} passages" in status
    assert page.status_html("en", page.assistant.documents("bob")) != page.status_html("en", page.assistant.documents("alice"))

    # Bob uploads a file with the same name and other bytes: his own document, in his own folder.
    bobs = tmp_path / "incoming" / "ferry.txt"
    bobs.parent.mkdir()
    bobs.write_text("Bob's ferry notes\n\nThe Hon Mun boat leaves at 8 a.m. from Cau Da wharf.\n", encoding="utf-8")
    bob, bob_request = session("bob")
    page.upload([Uploaded(bobs, "ferry.txt")], bob, [], None, None, bob_request)  # type: ignore[arg-type]
    alice_docs = page.assistant.documents("alice")
    bob_docs = page.assistant.documents("bob")
    bobs_doc = next(d for d in bob_docs if d.added_by == "bob")
    assert bobs_doc.doc_id not in {d.doc_id for d in alice_docs} and not bobs_doc.shared
    assert ferry in {d.doc_id for d in alice_docs} and ferry not in {d.doc_id for d in bob_docs}

    # Bob may neither delete alice's upload nor share his own; the admin shares it.
    page.ask_delete(ferry, bob, bob_request)  # type: ignore[arg-type]
    assert not bob.pending_delete
    page.ask_delete(bobs_doc.doc_id, bob, bob_request)  # type: ignore[arg-type]
    assert bob.pending_delete == bobs_doc.doc_id, "his own unshared upload he may delete"
    bob.pending_delete = ""
    page.share(bobs_doc.doc_id, bob, [], None, None, bob_request)  # type: ignore[arg-type]
    assert not page.assistant.store.document(bobs_doc.doc_id).shared  # type: ignore[union-attr]
    admin, admin_request = session("admin")
    page.share(ferry, admin, [], None, None, admin_request)  # type: ignore[arg-type]
    assert ferry in {d.doc_id for d in page.assistant.documents("bob")}


def test_two_users_through_the_api(index: tuple[Settings, str], embedder) -> None:
    settings, _ = index
    server = BackgroundServer(create_server(Assistant(settings, embedder=embedder)))
    try:
        def ask(user: str) -> dict:
            response = httpx.post(server.url + "/v1/chat/completions", auth=(user, f"{user}-pass"), timeout=60,
                                  json={"model": "qa-policy", "messages": [{"role": "user", "content": ASK_FERRY}]})
            assert response.status_code == 200, response.text
            return response.json()

        alice, bob = ask("alice"), ask("bob")
        assert "47,000" in alice["choices"][0]["message"]["content"] and alice["citations"][0]["shared"] is False
        assert "not shared" in alice["choices"][0]["message"]["content"]
        assert "47,000" not in bob["choices"][0]["message"]["content"]
    finally:
        server.close()


def test_a_name_only_an_unshared_upload_holds_is_unknown_to_others(index: tuple[Settings, str], embedder) -> None:
    """The refusal for a name no document uses ('Hon Tre' for bob) must not tell bob that a
    private upload uses it: bob's answer for the upload's name is the one for a made-up name."""
    settings, ferry = index
    assistant = Assistant(settings, embedder=embedder)
    for_bob = assistant.ask("What is the population of Hon Tre?", viewer="bob")
    made_up = assistant.ask("What is the population of Zon Vre?", viewer="bob")
    assert for_bob.refused and made_up.refused
    assert for_bob.confidence == made_up.confidence == 0.0 and for_bob.answer == made_up.answer
    for_alice = assistant.ask("What is the population of Hon Tre?", viewer="alice")
    assert for_alice.confidence != 0.0 or not for_alice.refused, "alice's own upload knows the name"
