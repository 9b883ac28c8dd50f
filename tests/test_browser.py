"""The chat page in real Chromium (Debian's, driven by Playwright), served on a free loopback port.

Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from qa import Assistant, Settings
from qa.feedback import FeedbackStore
from tests.conftest import ROOT, SAMPLE, free_port

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def serve(assistant: Assistant) -> tuple[str, object]:
    from ui.app import build_app, launch

    app = build_app(assistant)
    port = free_port()
    launch(app, assistant, port=port, block=False)
    return f"http://127.0.0.1:{port}/", app


@pytest.fixture
def small_assistant(tmp_path: Path, embedder) -> Assistant:
    """An index of one sample document, so tests that upload never touch the shared sample index."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SAMPLE / "khanh-hoa-industrial-clusters.txt", docs)
    assistant = Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    assistant.ingest([docs])
    return assistant


def ask(page: Page, question: str) -> None:
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-ask").click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_ask_see_source_card_and_click_citation(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(url)
        assert "5 documents" in page.locator("#qa-status").inner_text()
        ask(page, "How many industrial clusters are planned in Khanh Hoa and with what total area?")
        card = page.locator("#qa-sources #cite-1")
        card.wait_for(timeout=30_000)
        assert "Speeding up infrastructure investment in industrial clusters" in card.inner_text()
        assert "khanh-hoa-industrial-clusters.txt" in card.inner_text()
        page.locator("#qa-chat a.qa-cite").first.click()
        mark = card.locator("mark.qa-quote")
        assert mark.is_visible() and "669 hectares" in mark.inner_text()
        assert page.evaluate("location.hash") == "#cite-1"
        shot(page, "answer-with-citation")

        page.locator("#qa-comment textarea").fill("exact figures, thanks")
        page.locator("#qa-up").click()
        page.locator("#qa-feedback-status", has_text="saved").wait_for(timeout=10_000)
        rows = list(FeedbackStore(sample_assistant.settings.index_dir / "feedback.sqlite3").rows())
        assert rows[-1]["rating"] == 1 and rows[-1]["comment"] == "exact figures, thanks"
        assert rows[-1]["answer"]["citations"][0]["source"].endswith("khanh-hoa-industrial-clusters.txt")

        ask(page, "What is the population of Hanoi?")
        page.locator("#qa-chat .qa-refusal").wait_for(timeout=30_000)
        shot(page, "refusal")
    finally:
        app.close()  # type: ignore[attr-defined]


def test_upload_then_ask_about_it(browser: Browser, small_assistant: Assistant, tmp_path: Path) -> None:
    note = tmp_path / "harbour-plan.md"
    note.write_text("# Cam Ranh harbour plan\n\nThe Cam Ranh harbour plan dredges 37 kilometres of channel by 2031.\n",
                    encoding="utf-8")
    url, app = serve(small_assistant)
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Documents").click()
        page.locator("#qa-upload input[type=file]").set_input_files(str(note))
        page.locator("#qa-upload-button").click()
        page.locator("#qa-upload-result", has_text="added").wait_for(timeout=60_000)
        assert "harbour-plan.md" in page.locator("#qa-documents").inner_text()
        shot(page, "upload")
        page.get_by_role("tab", name="Chat").click()
        ask(page, "How many kilometres of channel does the Cam Ranh harbour plan dredge?")
        page.locator("#qa-sources #cite-1", has_text="harbour-plan.md").wait_for(timeout=30_000)
        assert "37 kilometres" in page.locator("#qa-chat").inner_text()
    finally:
        app.close()  # type: ignore[attr-defined]


def test_html_and_script_in_documents_show_as_text(browser: Browser, embedder, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "hostile.txt").write_text(
        "Decree on harbour fees <script>window.__pwned = 1; alert('x')</script>\n"
        "The harbour fee is 12 dong per tonne <img src=x onerror=\"window.__pwned = 2\"> under this decree.\n",
        encoding="utf-8",
    )
    assistant = Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    assistant.ingest([docs])
    url, app = serve(assistant)
    try:
        page = browser.new_page()
        dialogs: list[str] = []
        def record_and_dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record_and_dismiss)
        page.goto(url)
        ask(page, "What is the harbour fee per tonne?")
        page.locator("#qa-sources #cite-1").wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        assert "onerror" in page.locator("#qa-sources").inner_text()
        assert page.evaluate("window.__pwned === undefined")
        assert dialogs == []
        shot(page, "hostile-document")
    finally:
        app.close()  # type: ignore[attr-defined]


def test_login_blocks_anonymous_page_and_api(browser: Browser, small_assistant: Assistant) -> None:
    import httpx
    from gradio_client import Client

    guarded = Assistant(Settings(index_dir=small_assistant.settings.index_dir, ui_auth="alice:s3cret-pass"),
                        embedder=small_assistant.embedder)
    url, app = serve(guarded)
    try:
        page = browser.new_page()
        page.goto(url)
        page.get_by_text("Login").first.wait_for(timeout=15_000)
        assert page.locator("#qa-question").count() == 0
        shot(page, "login")
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a different type per version
            Client(url, verbose=False).predict("How many clusters?", api_name="/ask")
        assert httpx.get(url + "config").status_code in (401, 403)
        client = Client(url, auth=("alice", "s3cret-pass"), verbose=False)
        assert "14" in client.predict("How many industrial clusters are planned in Khanh Hoa?", api_name="/ask")["answer"]
    finally:
        app.close()  # type: ignore[attr-defined]


def test_type_filter_restricts_the_answer(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(url)
        page.locator("#qa-type input").click()
        page.get_by_role("option", name="conclusion").click()
        ask(page, "Nghị quyết 06-NQ/TU ban hành ngày nào?")
        page.locator("#qa-sources #cite-1").wait_for(timeout=30_000)
        assert "khanh-hoa-ket-luan-544-KL-TU-2024.txt" in page.locator("#qa-sources").inner_text()
        for other in ("kon-tum", "ninh-binh", "industrial-clusters", "centrally-run"):
            assert other not in page.locator("#qa-sources").inner_text()
    finally:
        app.close()  # type: ignore[attr-defined]
