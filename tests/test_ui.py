"""The chat served on loopback, asked through the Gradio API as a program would."""

from collections.abc import Iterator

import pytest
from gradio_client import Client

from qa import Assistant
from qa.types import Answer, Citation, SentenceSupport
from tests.conftest import free_port
from ui.render import answer_html, source_card


def serve(assistant: Assistant) -> tuple[str, object]:
    from ui.app import build_app, launch

    app = build_app(assistant)
    port = free_port()
    launch(app, assistant, port=port, block=False)
    return f"http://127.0.0.1:{port}/", app


@pytest.fixture
def served(sample_assistant: Assistant) -> Iterator[str]:
    url, app = serve(sample_assistant)
    yield url
    app.close()  # type: ignore[attr-defined]


def test_gradio_api_returns_answer_and_citations(served: str) -> None:
    client = Client(served, verbose=False)
    result = client.predict("How many industrial clusters are planned in Khanh Hoa and with what total area?",
                            api_name="/ask")
    assert result["refused"] is False
    assert "669 hectares" in result["answer"]
    assert result["citations"][0]["source"].endswith("khanh-hoa-industrial-clusters.txt")


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_answer_and_cards_escape_document_text() -> None:
    citation = Citation(n=1, doc_id="d", source="/x/<b>.txt", title=HOSTILE, start=10, end=15, quote=HOSTILE, score=1.0)
    answer = Answer(question="q", answer=f"{HOSTILE} [1]", refused=False, citations=[citation], backend="extractive",
                    evidence=1.0, settings_hash="h")
    html = answer_html(answer) + source_card(citation, "0123456789" + HOSTILE + "tail", 0, HOSTILE)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<a class='qa-cite' href='#cite-1'>[1]</a>" in html


def test_unsupported_sentences_and_refusals_look_different() -> None:
    sentences = [SentenceSupport(text="Fine [1].", citations=[1], supported=True),
                 SentenceSupport(text="Budget 9 [1].", citations=[1], supported=False, missing=["9"])]
    generated = Answer(question="q", answer="Fine [1]. Budget 9 [1].", refused=False, backend="llm:x", evidence=0.5,
                       settings_hash="h", sentences=sentences)
    assert answer_html(generated).count("qa-unsupported") == 1
    refusal = Answer(question="q", answer="No.", refused=True, backend="extractive", evidence=0, settings_hash="h")
    assert "qa-refusal" in answer_html(refusal) and "qa-answer" not in answer_html(refusal)


def test_only_the_ask_endpoint_is_public(served: str) -> None:
    """Upload, delete and feedback are for the page, not for anyone who can reach the port."""
    api = Client(served, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    assert not api["unnamed_endpoints"]


def test_api_callers_get_the_message_of_a_bad_question(served: str) -> None:
    with pytest.raises(Exception, match="The question is empty"):
        Client(served, verbose=False).predict("   ", api_name="/ask")
