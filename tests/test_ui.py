"""The chat served on loopback, asked through the Gradio API as a program would."""

from collections.abc import Iterator

import pytest
from gradio_client import Client

from qa import Assistant
from tests.conftest import free_port


@pytest.fixture
def served(sample_assistant: Assistant) -> Iterator[str]:
    from ui.app import build_app

    app = build_app(sample_assistant)
    port = free_port()
    app.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def test_gradio_api_returns_answer_and_citations(served: str) -> None:
    client = Client(served, verbose=False)
    result = client.predict("How many industrial clusters are planned in Khanh Hoa and with what total area?",
                            api_name="/ask")
    assert result["refused"] is False
    assert "669 hectares" in result["answer"]
    assert result["citations"][0]["source"].endswith("khanh-hoa-industrial-clusters.txt")


def test_source_cards_escape_document_text() -> None:
    from qa.answer import Answer, Citation
    from ui.app import render_sources

    citation = Citation(n=1, doc_id="d", source="/x/<b>.txt", title="<script>alert(1)</script>", start=0, end=5,
                        quote="<img src=x onerror=alert(1)>", score=1.0)
    answer = Answer(question="q", answer="a [1]", refused=False, citations=[citation], backend="extractive",
                    evidence=1.0, settings_hash="h")
    html = render_sources(answer)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
