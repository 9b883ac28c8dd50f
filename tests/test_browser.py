"""The chat page in real Chromium (Debian's, driven by Playwright), served on a free loopback port.

Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect, sync_playwright

from qa import Assistant, Settings
from qa.feedback import FeedbackStore
from tests.conftest import ROOT, SAMPLE, seed_vectors
from tests.fake_llm import Reply, ScriptedLLM, start
from ui.conversations import ConversationStore
from ui.server import BackgroundServer, create_server

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP: ViewportSize = {"width": 1300, "height": 1000}
PHONE: ViewportSize = {"width": 390, "height": 844}
CLUSTERS = "How many industrial clusters are planned in Khanh Hoa and with what total area?"
HARBOUR = "How many kilometres of channel does the Cam Ranh harbour plan dredge?"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def serve(assistant: Assistant, read_only: bool = False) -> tuple[str, BackgroundServer]:
    """The page exactly as `qa serve` serves it (with the API, login, CSP), on a free loopback port."""
    server = BackgroundServer(create_server(assistant, read_only))
    return server.url + "/", server


@pytest.fixture
def small_assistant(tmp_path: Path, embedder, sample_vectors: Path) -> Assistant:
    """An index of one sample document, so tests that change it never touch the shared sample index
    (its embedding cache starts with the sample vectors, so this set-up embeds nothing)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SAMPLE / "khanh-hoa-industrial-clusters.txt", docs)
    assistant = Assistant(Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors)), embedder=embedder)
    assert assistant.ingest([docs]).embedded == 0
    return assistant


def harbour_note(folder: Path, name: str = "harbour-plan.md", extra: str = "") -> Path:
    note = folder / name
    note.write_text("# Cam Ranh harbour plan\n\nThe Cam Ranh harbour plan dredges 37 kilometres of channel by 2031.\n"
                    + extra, encoding="utf-8")
    return note


def harbour_pdf(folder: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in ("Decision 12/2025/QD-UBND on harbour dredging\n\nChapter I. General provisions\n\nArticle 1. Scope\n"
                 "This decision governs dredging of the Cam Ranh harbour channel.\n",
                 "Article 2. Dredging volume\n1. The Cam Ranh harbour plan dredges 37 kilometres of channel by 2031.\n"
                 "2. The contractor reports each quarter to the Department of Transport.\n"):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    path = folder / "harbour-decision.pdf"
    pdf.output(str(path))
    return path


def open_page(browser: Browser, url: str, viewport: ViewportSize = DESKTOP, locale: str = "en-US") -> Page:
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(url)
    page.locator("#qa-documents table, #qa-documents p").first.wait_for(timeout=30_000)  # the load event has run
    return page


def ask(page: Page, question: str, turn: int) -> None:
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-ask").click()
    page.locator(f"#turn-{turn} .qa-actions, #turn-{turn} .qa-message").first.wait_for(timeout=60_000)


def upload(page: Page, path: str) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#qa-upload").click()
    chooser.value.set_files(path)


def choose(page: Page, dropdown: str, option: str) -> None:
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")


def options(page: Page, dropdown: str) -> str:
    page.locator(f"{dropdown} input").click()
    listed = page.locator(f"{dropdown} ul[role=listbox]")
    listed.wait_for(timeout=5_000)
    text = listed.inner_text()
    page.keyboard.press("Escape")
    return text


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_error_toast(page: Page) -> None:
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_inner_texts()


# --- the five bugs ---------------------------------------------------------------------------


def test_first_answer_citation_lights_up_the_first_answer_card(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        ask(page, CLUSTERS, 0)
        ask(page, "Which provinces are merged into the new Ninh Binh?", 1)
        page.locator("#turn-0 a.qa-cite").first.click()
        lit = page.locator(".qa-card:target")
        assert lit.count() == 1 and lit.is_visible()
        assert "669 hectares" in lit.inner_text() and "khanh-hoa-industrial-clusters.txt" in lit.inner_text()
        assert page.locator("#turn-0 .qa-card:target").count() == 1
        shot(page, "answer-with-citation")
    finally:
        app.close()


def test_copy_gives_plain_text_with_citations(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        ask(page, CLUSTERS, 0)
        page.locator("#turn-0 .qa-copy").click()
        page.locator("#turn-0 .qa-copy", has_text="Copied").wait_for(timeout=5_000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "<" not in copied and "class=" not in copied
        shown = page.locator("#turn-0 .qa-answer .qa-text").text_content() or ""
        assert copied.split("\n\n")[0] == shown and "669 hectares" in copied
        assert "Sources:\n[1] Speeding up infrastructure investment in industrial clusters" in copied
        assert "khanh-hoa-industrial-clusters.txt" in copied and "“" in copied
    finally:
        app.close()


def test_delete_a_filtered_document_then_ask(browser: Browser, small_assistant: Assistant, tmp_path: Path) -> None:
    small_assistant.ingest([harbour_note(tmp_path)])
    harbour_id = next(d.doc_id for d in small_assistant.documents() if d.source.endswith("harbour-plan.md"))
    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        page.locator("#qa-filters").get_by_text("Only some documents").click()
        choose(page, "#qa-filter", "(harbour-plan.md)")
        choose(page, "#qa-delete-choice", "(harbour-plan.md)")
        page.locator("#qa-delete").click()
        page.locator("#qa-confirm").click()
        page.locator("#qa-delete-result", has_text="Deleted").wait_for(timeout=30_000)
        assert harbour_id not in {d.doc_id for d in small_assistant.documents()}
        assert "harbour-plan.md" not in page.locator("#qa-filter").inner_text()
        ask(page, CLUSTERS, 0)
        assert "669 hectares" in page.locator("#turn-0 .qa-answer").inner_text()
        no_error_toast(page)
        ask(page, "And with what total area?", 1)
        assert page.locator("#turn-1 .qa-message").count() == 0
    finally:
        app.close()


def test_every_list_is_read_from_the_index(browser: Browser, small_assistant: Assistant, tmp_path: Path) -> None:
    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        assert "1 documents" in page.locator("#qa-chat").inner_text()
        # Another page (or `qa ingest`) adds documents: a reload shows them in every list.
        decision = tmp_path / "quyet-dinh-15.txt"
        decision.write_text("ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA\nSố: 15/2025/QĐ-UBND\nKhánh Hòa, ngày 10 tháng 3 năm 2025\n\n"
                            "QUYẾT ĐỊNH\nVề việc nạo vét luồng cảng Cam Ranh\n\nĐiều 1. Nạo vét 37 km luồng cảng.\n",
                            encoding="utf-8")
        small_assistant.ingest([harbour_pdf(tmp_path), decision])
        page.reload()
        page.locator("#qa-documents", has_text="harbour-decision.pdf").wait_for(timeout=30_000)
        assert "3 documents" in page.locator("#qa-chat").inner_text()
        assert "15/2025/QĐ-UBND" in page.locator("#qa-documents").inner_text()
        assert "harbour-decision.pdf" in options(page, "#qa-delete-choice")
        page.locator("#qa-filters").get_by_text("Only some documents").click()
        assert "harbour-decision.pdf" in options(page, "#qa-filter")
        assert "decision" in options(page, "#qa-type") and "2025" in options(page, "#qa-year")

        # An upload in this page appears everywhere at once, without a reload.
        upload(page, str(harbour_note(tmp_path, "dredging-note.md")))
        page.locator("#qa-upload-result", has_text="added").wait_for(timeout=60_000)
        assert "dredging-note.md" in page.locator("#qa-documents").inner_text()
        assert "4 documents" in page.locator("#qa-chat").inner_text()
        assert "dredging-note.md" in options(page, "#qa-delete-choice")
        assert "dredging-note.md" in options(page, "#qa-filter")
        shot(page, "upload")
    finally:
        app.close()


def test_an_upload_during_another_ingest_says_so_without_server_paths(
    browser: Browser, small_assistant: Assistant, tmp_path: Path
) -> None:
    from qa.ingest.pipeline import index_lock

    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        with index_lock(small_assistant.settings):
            upload(page, str(harbour_note(tmp_path)))
            result = page.locator("#qa-upload-result", has_text="try again")
            result.wait_for(timeout=30_000)
        assert str(small_assistant.settings.index_dir) not in result.inner_text()
        assert len(small_assistant.documents()) == 1
    finally:
        app.close()


def test_delete_is_never_pre_armed_and_asks_first(browser: Browser, small_assistant: Assistant) -> None:
    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        assert page.locator("#qa-delete-choice input").input_value() == ""
        page.locator("#qa-delete").click()
        page.locator("#qa-delete-result", has_text="Choose a document").wait_for(timeout=10_000)
        assert len(small_assistant.documents()) == 1

        choose(page, "#qa-delete-choice", "Speeding up infrastructure investment in industrial clusters")
        page.locator("#qa-delete").click()
        confirm = page.locator("#qa-confirm-delete:visible")
        confirm.get_by_text("This cannot be undone").wait_for(timeout=10_000)
        assert len(small_assistant.documents()) == 1
        page.locator("#qa-cancel").click()
        expect(confirm).to_have_count(0, timeout=10_000)
        assert len(small_assistant.documents()) == 1

        page.locator("#qa-delete").click()
        page.locator("#qa-confirm").click()
        page.locator("#qa-delete-result", has_text="Deleted").wait_for(timeout=30_000)
        assert small_assistant.documents() == []
    finally:
        app.close()


# --- nothing the documents or a model say renders as markup; writes need the page ------------


@pytest.fixture
def beacon() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_markdown_and_html_in_documents_and_model_answers_stay_text(
    browser: Browser, embedder, tmp_path: Path, beacon: tuple[str, list[str]]
) -> None:
    base, hits = beacon
    script = ScriptedLLM()
    llm = start(script)
    hostile = tmp_path / "harbour-fees.md"
    hostile.write_text(
        f"# Decree on harbour fees\n\nThe harbour fee is 12 dong per tonne under this decree. ![p]({base}/beacon-doc) "
        f"<img src=\"{base}/beacon-html\" onerror=\"window.__pwned = 1\"> <script>window.__pwned = 2</script>\n",
        encoding="utf-8")
    script.enqueue(f"The harbour fee is 12 dong per tonne [1]. ![p]({base}/beacon-model) <img src=\"{base}/beacon-model-html\">")
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", llm_base_url=script.url, llm_model="scripted"),
                          embedder=embedder)
    url, app = serve(assistant)
    try:
        page = open_page(browser, url)
        dialogs: list[str] = []

        def record_and_dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record_and_dismiss)
        upload(page, str(hostile))
        page.locator("#qa-upload-result", has_text="added").wait_for(timeout=60_000)
        ask(page, "What is the harbour fee per tonne?", 0)
        page.locator("#turn-0 .qa-card").first.wait_for(timeout=10_000)
        page.locator("#turn-0 .qa-open[data-view=text]").first.click()
        page.locator("#qa-document-quote").wait_for(timeout=10_000)
        page.wait_for_timeout(1_000)
        assert hits == [], "the page fetched an address named in a document or a model's answer"
        answer = page.locator("#turn-0 .qa-answer").inner_text()
        assert f"![p]({base}/beacon-model)" in answer and "beacon-model-html" in answer
        assert f"![p]({base}/beacon-doc)" in page.locator("#turn-0 .qa-sources").inner_text()
        assert "onerror" in page.locator("#qa-viewer-text").inner_text()
        assert page.locator("#qa-chat img, #qa-viewer-text img").count() == 0
        assert page.evaluate("window.__pwned === undefined") and dialogs == []
        shot(page, "hostile-document")
    finally:
        app.close()
        llm.shutdown()


def test_a_failing_model_names_no_settings(browser: Browser, small_assistant: Assistant) -> None:
    script = ScriptedLLM()
    llm = start(script)
    script.enqueue(Reply(status=401, content="bad key"))
    assistant = Assistant(Settings(index_dir=small_assistant.settings.index_dir, llm_base_url=script.url,
                                   llm_model="scripted", llm_retries=0), embedder=small_assistant.embedder)
    url, app = serve(assistant)
    try:
        page = open_page(browser, url)
        ask(page, CLUSTERS, 0)
        shown = page.locator("#turn-0").inner_text()
        assert "quotes the documents directly" in shown and "669 hectares" in shown
        assert "QA_" not in shown and "OPENAI" not in shown and "scripted" not in shown
    finally:
        app.close()
        llm.shutdown()


def _fn_index(url: str, name: str, client: httpx.Client) -> int:
    config = client.get(url + "config").json()
    return int(next(d["id"] for d in config["dependencies"] if d["api_name"] == name))


def _call_queue(url: str, client: httpx.Client, fn_index: int, data: list[Any], session: str = "raw-client") -> str:
    """What any HTTP client can send: a join on the queue by fn_index, then the event stream to its end."""
    joined = client.post(url + "gradio_api/queue/join",
                         json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None})
    if joined.status_code != 200:
        return f"join refused {joined.status_code}"
    stream = client.get(url + "gradio_api/queue/data", params={"session_hash": session}, timeout=60)
    return stream.text


def test_write_actions_cannot_be_called_through_the_queue(small_assistant: Assistant, tmp_path: Path) -> None:
    doc_id = small_assistant.documents()[0].doc_id
    url, app = serve(small_assistant)
    feedback = FeedbackStore(small_assistant.settings.index_dir / "feedback.sqlite3")
    try:
        with httpx.Client(timeout=30) as client:
            note = harbour_note(tmp_path)
            uploaded = client.post(url + "gradio_api/upload", files={"files": (note.name, note.read_bytes())}).json()[0]
            upload_data = [{"path": uploaded, "orig_name": note.name, "meta": {"_type": "gradio.FileData"}}]
            calls: list[tuple[str, list[Any]]] = [
                ("ask_delete", [doc_id, None]),
                ("confirm_delete", [None, [], None, None]),
                ("rate", [json.dumps({"turn": 0, "rating": 1, "comment": "spam"}), None]),
                ("upload", [upload_data, None, [], None, None]),
            ]
            for name, data in calls:
                events = _call_queue(url, client, _fn_index(url, name, client), data)
                assert "process_completed" in events or "join refused" in events, events
        assert [d.doc_id for d in small_assistant.documents()] == [doc_id]
        assert list(feedback.rows()) == []
    finally:
        app.close()

    guarded = Assistant(Settings(index_dir=small_assistant.settings.index_dir, ui_auth="alice:s3cret-pass"),
                        embedder=small_assistant.embedder)
    url, app = serve(guarded)
    try:
        with httpx.Client(timeout=30) as client:
            assert client.get(url + "config").status_code in (401, 403)
            joined = client.post(url + "gradio_api/queue/join",
                                 json={"data": [doc_id, None], "fn_index": 0, "session_hash": "anon"})
            assert joined.status_code in (401, 403)
        assert [d.doc_id for d in guarded.documents()] == [doc_id]
    finally:
        app.close()


def test_login_blocks_anonymous_page_and_api(browser: Browser, small_assistant: Assistant) -> None:
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
        client = Client(url, auth=("alice", "s3cret-pass"), verbose=False)
        assert "14" in client.predict("How many industrial clusters are planned in Khanh Hoa?", api_name="/ask")["answer"]
    finally:
        app.close()


def log_in(browser: Browser, url: str, user: str, password: str) -> Page:
    page = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
    page.goto(url)
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.locator("#qa-documents table").wait_for(timeout=30_000)
    return page


def test_with_login_conversations_are_per_user_and_writes_check_the_user(
    browser: Browser, small_assistant: Assistant, tmp_path: Path
) -> None:
    users = tmp_path / "users.txt"
    users.write_text("alice:alice-pass-1\nbob:bob-pass-22\n", encoding="utf-8")
    guarded = Assistant(Settings(index_dir=small_assistant.settings.index_dir, ui_users_file=users),
                        embedder=small_assistant.embedder)
    url, app = serve(guarded)
    try:
        alice = log_in(browser, url, "alice", "alice-pass-1")
        ask(alice, CLUSTERS, 0)
        assert not alice.locator("#qa-share").is_visible(), "sharing is for admins; alice is not one"
        bob = log_in(browser, url, "bob", "bob-pass-22")
        bob.get_by_role("tab", name="Conversations").click()
        assert "How many industrial clusters" not in bob.locator("#qa-conversations").inner_text()
        store = ConversationStore(guarded.settings.index_dir / "conversations.sqlite3")
        assert [c.title for c in store.owned_by("alice")] == [CLUSTERS] and store.owned_by("bob") == []

        # Alice's open page now sends Bob's login: her page session's writes are refused.
        alice.context.clear_cookies()
        alice.context.add_cookies(bob.context.cookies())  # type: ignore[arg-type]
        choose(alice, "#qa-delete-choice", "Speeding up infrastructure investment")
        alice.locator("#qa-delete").click()
        alice.locator("#qa-delete-result", has_text="Log in again").wait_for(timeout=10_000)
        alice.locator("#turn-0 .qa-rate[data-rating='1']").click()
        alice.wait_for_timeout(1_000)
        assert alice.locator("#turn-0 .qa-rated").count() == 0
        assert len(guarded.documents()) == 1
        assert list(FeedbackStore(guarded.settings.index_dir / "feedback.sqlite3").rows()) == []
    finally:
        app.close()


# --- sources you can check -------------------------------------------------------------------


def _yellow_pixels(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 240) & (g > 200) & (g < 245) & (b < 150)).sum())


def test_citation_card_page_image_and_whole_document(browser: Browser, small_assistant: Assistant, tmp_path: Path) -> None:
    long_tail = "".join(f"\nParagraph {i} of the appendix lists berth number {i} and its depth.\n" for i in range(120))
    small_assistant.ingest([harbour_pdf(tmp_path), harbour_note(tmp_path, "appendix.md", long_tail)])
    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        ask(page, HARBOUR, 0)
        card = page.locator("#turn-0 .qa-card", has_text="harbour-decision.pdf").first
        where = card.locator(".qa-card-where").inner_text()
        assert "page 2" in where and "Article 2" in where and "Khoản 1" in where
        card.locator(".qa-open[data-view=page]").click()
        image = page.locator("#qa-page img")
        image.wait_for(timeout=30_000)
        assert "Page 2 of harbour-decision.pdf" in page.locator("#qa-viewer-head").inner_text()
        png = page.request.get(image.get_attribute("src") or "").body()
        assert _yellow_pixels(png) > 500, "the quoted span is highlighted on the page image"
        assert image.get_attribute("alt"), "the page image has a text alternative"
        assert not (bad := _axe(page)), _describe(bad)
        shot(page, "page-preview")

        ask(page, "What does the appendix list for berth number 110?", 1)
        page.locator("#turn-1 .qa-open[data-view=text]").first.click()
        quote = page.locator("#qa-document-quote")
        quote.wait_for(timeout=10_000)
        assert "berth number 110" in quote.inner_text()
        document = page.locator("#qa-viewer-text .qa-document")
        assert "Paragraph 0 of the appendix" in document.inner_text()
        page.wait_for_timeout(500)
        assert document.evaluate("e => e.scrollTop") > 0
        box, view = quote.bounding_box(), document.bounding_box()
        assert box and view and view["y"] <= box["y"] <= view["y"] + view["height"], "scrolled to the quote"
    finally:
        app.close()


# --- conversations, feedback, language -------------------------------------------------------


def test_conversations_are_saved_listed_renamed_exported_deleted(browser: Browser, small_assistant: Assistant) -> None:
    url, app = serve(small_assistant)
    try:
        page = open_page(browser, url)
        ask(page, CLUSTERS, 0)
        page.reload()
        page.locator("#turn-0 .qa-answer", has_text="669 hectares").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Conversations").click()
        saved = page.locator("#qa-conversations")
        assert "How many industrial clusters" in saved.inner_text()

        page.locator("#qa-new").click()
        page.locator("#qa-chat .qa-welcome").wait_for(timeout=10_000)
        saved.get_by_text("How many industrial clusters").click()
        page.locator("#turn-0 .qa-answer", has_text="669 hectares").wait_for(timeout=10_000)
        page.locator("#qa-rename-text textarea, #qa-rename-text input").first.fill("Khanh Hoa clusters")
        page.locator("#qa-rename").click()
        saved.get_by_text("Khanh Hoa clusters").wait_for(timeout=10_000)

        with page.expect_download() as download:
            page.locator("#qa-export").click()
            page.locator("#qa-export-file a").first.click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert exported.startswith("# Khanh Hoa clusters")
        assert "669 hectares" in exported and "\\[1\\] Speeding up infrastructure" in exported
        assert "khanh-hoa-industrial-clusters.txt" in exported

        page.locator("#qa-conversation-delete").click()
        page.locator("#qa-conversation-confirm").click()
        page.locator("#qa-conversation-result", has_text="deleted").wait_for(timeout=10_000)
        assert ConversationStore(small_assistant.settings.index_dir / "conversations.sqlite3").owned_by("") == []
        page.reload()
        page.locator("#qa-chat .qa-welcome").wait_for(timeout=30_000)
    finally:
        app.close()


def test_a_conversation_deleted_in_another_tab_keeps_this_one_asking(
    browser: Browser, small_assistant: Assistant
) -> None:
    store = ConversationStore(small_assistant.settings.index_dir / "conversations.sqlite3")
    url, app = serve(small_assistant)
    try:
        here = open_page(browser, url)
        ask(here, CLUSTERS, 0)
        there = open_page(browser, url)
        there.get_by_role("tab", name="Conversations").click()
        there.locator("#qa-conversations").get_by_text("How many industrial clusters").click()
        there.locator("#qa-conversation-delete").click()
        there.locator("#qa-conversation-confirm").click()
        there.locator("#qa-conversation-result", has_text="deleted").wait_for(timeout=10_000)
        assert store.owned_by("") == []
        ask(here, "And with what total area?", 1)
        no_error_toast(here)
        assert "669 hectares" in here.locator("#turn-1 .qa-answer").inner_text()
        [saved] = store.owned_by("")
        assert [turn.answer.question for turn in store.turns("", saved.conversation_id)] == ["And with what total area?"]
    finally:
        app.close()


def test_feedback_on_every_answer(browser: Browser, sample_assistant: Assistant) -> None:
    feedback = FeedbackStore(sample_assistant.settings.index_dir / "feedback.sqlite3")
    before = len(list(feedback.rows()))
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        ask(page, CLUSTERS, 0)
        ask(page, "Which provinces are merged into the new Ninh Binh?", 1)
        page.locator("#turn-0 .qa-comment").fill("exact figures, thanks")
        page.locator("#turn-0 .qa-rate[data-rating='1']").click()
        page.locator("#turn-0 .qa-rated").wait_for(timeout=10_000)
        page.locator("#turn-1 .qa-rate[data-rating='-1']").click()
        page.locator("#turn-1 .qa-rated", has_text="not helpful").wait_for(timeout=10_000)
        rows = list(feedback.rows())[before:]
        assert [(r["question"], r["rating"], r["comment"]) for r in rows] == [
            (CLUSTERS, 1, "exact figures, thanks"), ("Which provinces are merged into the new Ninh Binh?", -1, "")]
        assert rows[0]["answer"]["citations"][0]["source"].endswith("khanh-hoa-industrial-clusters.txt")
    finally:
        app.close()


def test_page_follows_the_browser_language_and_can_switch(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url, locale="vi-VN")
        page.locator("#qa-title", has_text="Hỏi đáp văn bản chính sách").wait_for(timeout=10_000)
        assert page.locator("#qa-ask").inner_text() == "Hỏi"
        welcome = page.locator("#qa-chat .qa-welcome").inner_text()
        assert "Đã lập chỉ mục 5 văn bản" in welcome and "544-KL/TU được ban hành ngày nào?" in welcome
        assert page.get_by_role("tab", name="Văn bản").count() == 1
        page.locator("#qa-chat .qa-example").first.click()
        page.locator("#turn-0 .qa-actions").wait_for(timeout=60_000)
        assert "06/02/2024" in page.locator("#turn-0 .qa-answer").inner_text()
        assert "Sao chép" in page.locator("#turn-0 .qa-copy").inner_text()
        shot(page, "vietnamese")

        page.locator("#qa-language").get_by_text("English").click()
        page.locator("#qa-title", has_text="Ask the policy documents").wait_for(timeout=10_000)
        assert page.locator("#turn-0 .qa-copy").inner_text() == "Copy"
        page.reload()
        page.locator("#qa-title", has_text="Ask the policy documents").wait_for(timeout=30_000)
    finally:
        app.close()


# --- the first screen, accessibility, phones -------------------------------------------------


def test_first_screen_explains_itself(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        welcome = page.locator("#qa-chat .qa-welcome").inner_text()
        assert "Every answer quotes the documents" in welcome
        assert "5 documents are indexed" in welcome and "Speeding up infrastructure investment" in welcome
        assert "When was 544-KL/TU issued?" in welcome
        assert not page.locator("#qa-status").is_visible(), "technical details sit behind a toggle"
        page.locator("#qa-technical").get_by_text("Technical details").click()
        assert "settings" in page.locator("#qa-status").inner_text()
        shot(page, "first-screen")

        ask(page, "x" * (sample_assistant.settings.max_question_chars + 5), 0)
        message = page.locator("#turn-0 .qa-message").inner_text()
        assert "the limit is" in message and "QA_" not in message and "qa documents" not in message
        page.locator("#qa-filters").get_by_text("Only some documents").click()
        choose(page, "#qa-type", "conclusion")
        choose(page, "#qa-year", "2024")
        page.locator("#qa-type input").fill("law")
        page.keyboard.press("Enter")
        ask(page, "What is planned?", 1)
        notice = page.locator("#turn-1").inner_text()
        assert "No document matches the chosen filters" in notice and "qa documents" not in notice
    finally:
        app.close()


def _axe(page: Page) -> list[dict[str, Any]]:
    assert AXE.exists(), "axe-core is missing: `make test` runs `npm ci --prefix tests/a11y`"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:5]]}" for v in violations)


def test_accessibility_keyboard_and_phone(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        assert not (bad := _axe(page)), _describe(bad)
        page.locator("#qa-question textarea").focus()
        page.keyboard.type(CLUSTERS)
        page.keyboard.press("Enter")
        page.locator("#turn-0 .qa-actions").wait_for(timeout=60_000)
        page.locator("#turn-0 .qa-cite").first.focus()
        for _ in range(8):  # from the citation to the answer's own buttons by Tab alone
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('#turn-0 .qa-rate')"):
                break
        assert page.evaluate("document.activeElement.matches('#turn-0 .qa-rate')")
        page.keyboard.press("Enter")
        page.locator("#turn-0 .qa-rated").wait_for(timeout=10_000)
        assert not (bad := _axe(page)), _describe(bad)

        phone = open_page(browser, url, viewport=PHONE)
        ask(phone, CLUSTERS, 0)
        answer = phone.locator("#turn-0 .qa-answer").bounding_box()
        card = phone.locator("#turn-0 .qa-card").first.bounding_box()
        assert answer and card and 0 <= card["y"] - (answer["y"] + answer["height"]) < 250, (answer, card)
        assert not (bad := _axe(phone)), _describe(bad)
        shot(phone, "phone")
    finally:
        app.close()


def test_type_filter_restricts_the_answer(browser: Browser, sample_assistant: Assistant) -> None:
    url, app = serve(sample_assistant)
    try:
        page = open_page(browser, url)
        page.locator("#qa-filters").get_by_text("Only some documents").click()
        choose(page, "#qa-type", "conclusion")
        ask(page, "Nghị quyết 06-NQ/TU ban hành ngày nào?", 0)
        sources = page.locator("#turn-0 .qa-sources").inner_text()
        assert "khanh-hoa-ket-luan-544-KL-TU-2024.txt" in sources
        for other in ("kon-tum", "ninh-binh", "industrial-clusters", "centrally-run"):
            assert other not in sources
    finally:
        app.close()


def test_read_only_page_answers_and_loads_images_only_from_itself(browser: Browser, small_assistant: Assistant) -> None:
    url, app = serve(small_assistant, read_only=True)
    try:
        page = open_page(browser, url)
        ask(page, "How many industrial clusters are planned in Khanh Hoa?", 0)
        assert "14" in page.locator("#turn-0").inner_text()
        blocked = page.evaluate("""() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', e => resolve(e.effectiveDirective), {once: true});
            const img = new Image();
            img.src = 'http://images.example.invalid/tracker.png';
            document.body.appendChild(img);
            setTimeout(() => resolve('loaded without objection'), 5000);
        })""")
        assert blocked == "img-src"
        assert page.locator("#qa-documents").is_visible()
        assert not page.locator("#qa-upload").is_visible() and not page.locator("#qa-delete").is_visible()
        shot(page, "read-only")
    finally:
        app.close()
