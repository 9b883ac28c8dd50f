"""The chat served on loopback, asked through the Gradio API as a program would."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from qa import Assistant
from qa.results import Answer, Citation, SentenceSupport
from qa.types import DocumentInfo
from ui.conversations import ConversationStore
from ui.i18n import STRINGS, language_of
from ui.render import ShownTurn, answer_html, conversation_html, conversation_markdown, example_questions, plain_text
from ui.server import BackgroundServer, create_server


def serve(assistant: Assistant, read_only: bool = False) -> tuple[str, BackgroundServer]:
    """The page exactly as `qa serve` serves it (with the API, login, CSP), on a free loopback port."""
    server = BackgroundServer(create_server(assistant, read_only))
    return server.url + "/", server


@pytest.fixture
def served(sample_assistant: Assistant) -> Iterator[str]:
    url, app = serve(sample_assistant)
    yield url
    app.close()


def test_gradio_api_returns_answer_and_citations(served: str) -> None:
    client = Client(served, verbose=False)
    result = client.predict("How many industrial clusters are planned in Khanh Hoa and with what total area?",
                            api_name="/ask")
    assert result["refused"] is False
    assert "669 hectares" in result["answer"]
    assert result["citations"][0]["source"].endswith("khanh-hoa-industrial-clusters.txt")


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)> ![p](http://127.0.0.1:9/beacon)"


def _answer(text: str = f"{HOSTILE} [1]") -> Answer:
    citation = Citation(n=1, doc_id="d", source="/srv/x/<b>.pdf", title=HOSTILE, section="Điều 5 › Khoản 2", page=3,
                        start=10, end=15, quote=HOSTILE, score=1.0)
    return Answer(question="q", answer=text, refused=False, citations=[citation], backend="extractive",
                  evidence=1.0, settings_hash="h")


def test_answer_and_cards_escape_document_text() -> None:
    answer = _answer()
    html = conversation_html("en", [ShownTurn("q <i>", answer, contexts=(("0123456789" + HOSTILE + "tail", 0),))], "")
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "<a class='qa-cite' href='#cite-0-1'>[1]</a>" in html
    assert "id='cite-0-1'" in html and "Điều 5 › Khoản 2 · page 3 · &lt;b&gt;.pdf" in html
    assert "/srv/x" not in html, "web users see file names, not server paths"


def test_each_answer_links_to_its_own_cards() -> None:
    html = conversation_html("en", [ShownTurn("a", _answer("One [1].")), ShownTurn("b", _answer("Two [1]."))], "")
    assert "href='#cite-0-1'" in html and "href='#cite-1-1'" in html
    assert html.count("id='cite-0-1'") == 1 and html.count("id='cite-1-1'") == 1


def test_copy_text_is_plain_with_citations() -> None:
    answer = _answer("Fourteen clusters [1].")
    copied = plain_text("en", answer)
    assert copied.splitlines()[0] == "Fourteen clusters [1]."
    assert "Sources:" in copied and "[1] " in copied and "Điều 5 › Khoản 2, page 3, <b>.pdf" in copied
    assert plain_text("vi", answer).count("Nguồn:") == 1


def test_export_is_markdown_that_keeps_quoted_text_as_text() -> None:
    exported = conversation_markdown("en", "Harbour [fees]", [_answer()])
    assert exported.startswith("# Harbour \\[fees\\]")
    assert "![p](" not in exported and "\\!\\[p\\]\\(http" in exported
    assert "<script>" not in exported and "Điều 5 › Khoản 2, page 3" in exported
    led = Answer(question="q", answer="Xã Sốp Cộp | 1,5% [1] Trước năm 2026 là 1,2%. [2]", lead="Xã Sốp Cộp | 1,5% [1]",
                 refused=False, backend="extractive", evidence=1.0, settings_hash="h")
    answer_line, also_line = conversation_markdown("vi", "t", [led]).split("\n\n")[2:4]
    assert answer_line.endswith("Xã Sốp Cộp \\| 1,5% \\[1\\]"), answer_line  # the lead alone, then what adds to it
    assert also_line.startswith(f"*{STRINGS['vi']['also']}*") and "1,2%" in also_line, also_line


def test_unsupported_sentences_and_refusals_look_different() -> None:
    sentences = [SentenceSupport(text="Fine [1].", citations=[1], supported=True),
                 SentenceSupport(text="Budget 9 [1].", citations=[1], supported=False, missing=["9"])]
    generated = Answer(question="q", answer="Fine [1]. Budget 9 [1].", refused=False, backend="llm:x", evidence=0.5,
                       settings_hash="h", sentences=sentences)
    assert answer_html("en", 0, generated).count("qa-unsupported") == 1
    refusal = Answer(question="q", answer="No.", refused=True, backend="extractive", evidence=0, settings_hash="h")
    assert "qa-refusal" in answer_html("en", 0, refusal) and "qa-answer" not in answer_html("en", 0, refusal)


def test_the_lead_is_shown_first_and_the_other_quotes_under_their_own_label() -> None:
    answer = Answer(question="q", answer="Xã Sốp Cộp | 1,5% [1] Trước năm 2026 là 1,2%. [2]", lead="Xã Sốp Cộp | 1,5% [1]",
                    refused=False, backend="extractive", evidence=1.0, settings_hash="h")
    html = answer_html("vi", 0, answer)
    lead, more = html.split("<div class='qa-more'>")
    assert "1,5%" in lead and "1,2%" not in lead and "href='#cite-0-1'" in lead
    assert "Các đoạn liên quan khác:" in more and "1,2%" in more and "href='#cite-0-2'" in more
    copied = plain_text("vi", answer).splitlines()
    assert copied[0] == "Xã Sốp Cộp | 1,5% [1]" and copied[2] == "Các đoạn liên quan khác: Trước năm 2026 là 1,2%. [2]"
    asked_in_vietnamese = answer.model_copy(update={"question": "Tỷ lệ tại xã Sốp Cộp là bao nhiêu?"})
    assert asked_in_vietnamese.as_text().splitlines()[2].startswith("Các đoạn liên quan khác:"), "the API and CLI: the question's language"
    assert answer.as_text().splitlines()[2].startswith("Also in the documents:")
    alone = answer.model_copy(update={"answer": answer.lead})
    assert "qa-more" not in answer_html("en", 0, alone), "an answer that is all lead has no second part"


def test_language_follows_the_browser_tag() -> None:
    assert [language_of(tag) for tag in ("vi-VN", "vi", "VI", "en-GB", "fr", "", None)] == \
        ["vi", "vi", "vi", "en", "en", "en", "en"]
    assert set(STRINGS["vi"]) == set(STRINGS["en"]), "every string has both languages"


def test_examples_are_questions_the_documents_answer() -> None:
    numbered = DocumentInfo("a", "/x/a.txt", "Conclusion on land", 3, "h", doc_number="544-KL/TU", signer="Nguyen Van A")
    news = DocumentInfo("b", "/x/b.txt", "Harbour news", 2, "h")
    assert example_questions("vi", [numbered, news]) == [
        "544-KL/TU được ban hành ngày nào?", "Ai ký 544-KL/TU?", "“Harbour news” nói gì?"]
    assert example_questions("en", [news]) == ["What does “Harbour news” say?"]


def test_conversations_are_per_user_and_survive_reopening(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    mine = store.create("alice", "  How many   clusters?  ")
    store.append("alice", mine, _answer("Fourteen [1]."))
    store.append("alice", mine, _answer("And 669 ha [1]."))
    theirs = store.create("bob", "Bob's question")
    reopened = ConversationStore(tmp_path / "conversations.sqlite3")
    assert [c.title for c in reopened.owned_by("alice")] == ["How many clusters?"]
    assert [turn.answer.answer for turn in reopened.turns("alice", mine)] == ["Fourteen [1].", "And 669 ha [1]."]
    assert reopened.turns("alice", mine)[0].answer.citations[0].page == 3
    assert reopened.turns("bob", mine) == [] and not reopened.owns("bob", mine)
    assert not reopened.rename("bob", mine, "stolen") and not reopened.delete("bob", mine)
    with pytest.raises(KeyError):
        reopened.append("bob", mine, _answer())
    reopened.rate("alice", mine, 1, -1)
    assert [turn.rating for turn in reopened.turns("alice", mine)] == [None, -1]
    assert reopened.rename("alice", mine, "Clusters") and reopened.title("alice", mine) == "Clusters"
    assert reopened.delete("alice", mine) and reopened.owned_by("alice") == []
    assert [c.conversation_id for c in reopened.owned_by("bob")] == [theirs]


def test_only_the_ask_endpoint_is_public(served: str) -> None:
    """Upload, delete and feedback are for the page, not for anyone who can reach the port."""
    api = Client(served, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    assert not api["unnamed_endpoints"]


def test_api_callers_get_the_message_of_a_bad_question(served: str) -> None:
    with pytest.raises(Exception, match="The question is empty"):
        Client(served, verbose=False).predict("   ", api_name="/ask")
