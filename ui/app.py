"""The Gradio chat: streaming answers, clickable citations with source cards, uploads, filters,
feedback and a status line. Served by `qa serve` and `make run` on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from qa.assistant import Assistant
from qa.errors import QAError
from qa.feedback import FeedbackStore
from qa.offline import use_offline_defaults
from qa.retrieve.filters import Filters
from qa.types import Answer
from ui.render import STYLE, answer_html, source_card
from ui.uploads import store_upload

EXAMPLES = [
    "How many industrial clusters are planned in Khanh Hoa and with what total area?",
    "Ket luan 544-KL/TU duoc ban hanh ngay nao?",
    "Which provinces are merged into the new Ninh Binh?",
    "What did General Secretary To Lam expect of Kon Tum and Quang Ngai after the merger?",
]


def status_line(assistant: Assistant) -> str:
    docs = assistant.documents()
    return (
        f"**Answerer:** {assistant.backend} · **{len(docs)}** documents, **{assistant.store.count()}** chunks · "
        f"settings `{assistant.settings.settings_hash()}`"
    )


def sources_html(assistant: Assistant, answer: Answer) -> str:
    if answer.refused:
        return "<div class='qa-refusal'>No passage in the documents answers this question.</div>"
    cards = []
    for c in answer.citations:
        chunks = assistant.store.document_chunks(c.doc_id)
        around = next((ch for ch in chunks if ch.start <= c.start and c.end <= ch.end), None)
        full = assistant.store.document_text(c.doc_id)
        context, context_start = (around.text, around.start) if around else (c.quote, c.start)
        cards.append(source_card(c, context, context_start, full))
    return "\n".join(cards)


def documents_table(assistant: Assistant) -> list[list[Any]]:
    return [[d.title, Path(d.source).name, d.chunks, d.doc_id] for d in assistant.documents()]


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    return [(f"{d.title[:70]} ({Path(d.source).name})", d.doc_id) for d in assistant.documents()]


def build_app(assistant: Assistant) -> gr.Blocks:
    settings = assistant.settings
    feedback = FeedbackStore(settings.index_dir / "feedback.sqlite3")
    uploads = settings.index_dir / "uploads"

    def respond(
        question: str, chat: list[dict[str, Any]], history: list[list[str]], doc_ids: list[str] | None,
        doc_type: str | None, year: str | None,
    ):
        chat = list(chat or [])
        pairs = [(q, a) for q, a in (history or [])]
        chat.append({"role": "user", "content": question})
        try:
            filters = Filters(doc_ids=tuple(doc_ids or ()), doc_type=doc_type or None,
                              year=int(year) if year and year.isdigit() else None)
            stream = assistant.ask_stream(question, history=pairs, filters=filters)
            partial = ""
            chat.append({"role": "assistant", "content": "…"})
            for part in stream:
                if isinstance(part, Answer):
                    answer = part
                else:
                    partial += part
                    chat[-1] = {"role": "assistant", "content": partial}
                    yield chat, gr.update(), history, gr.update(), None, ""
        except QAError as exc:
            chat[-1:] = [{"role": "assistant", "content": f"⚠️ {exc}"}]
            yield chat, "", history, question, None, ""
            return
        chat[-1] = {"role": "assistant", "content": answer_html(answer)}
        history = list(history or []) + [[question, answer.answer]]
        yield chat, sources_html(assistant, answer), history, "", answer.model_dump_json(), status_line(assistant)

    def ask_api(question: str) -> dict[str, Any]:
        """For programs (gradio_client): the Answer as data; a QAError reaches the caller as its message."""
        try:
            return assistant.ask(question).model_dump()
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    def give_feedback(answer_json: str | None, rating: int, comment: str) -> str:
        if not answer_json:
            return "Ask a question first, then rate its answer."
        feedback.record(Answer.model_validate_json(answer_json), rating, comment or "")
        return "Thank you — feedback saved."

    def upload(files: list[Any] | None, progress: gr.Progress = gr.Progress()):
        if not files:
            return "Choose one or more files first.", gr.update(), gr.update(), gr.update(), status_line(assistant)
        lines = []
        stored = []
        for item in files:
            original = Path(getattr(item, "orig_name", None) or Path(str(item)).name).name
            try:
                stored.append(store_upload(Path(str(item)), original, uploads, int(settings.max_file_mb * 1e6)))
            except QAError as exc:
                lines.append(f"- **{original}**: skipped: {exc}")
        if stored:
            def on_progress(done: int, total: int, name: str) -> None:
                progress((done, total), desc=f"Indexing {name}", unit="files")

            try:
                report = assistant.ingest(stored, progress=on_progress)
            except QAError as exc:
                lines.append(f"- ⚠️ {exc}")
            else:
                for r in report.files:
                    reason = f": {r.reason}" if r.reason else ""
                    lines.append(f"- **{Path(r.path).name}**: {r.status}{reason}")
        choices = document_choices(assistant)
        return ("\n".join(lines), documents_table(assistant), gr.update(choices=choices),
                gr.update(choices=choices), status_line(assistant))

    def delete(doc_id: str | None):
        message = "Choose a document to delete."
        if doc_id:
            try:
                assistant.delete(doc_id)
                message = "Deleted."
            except QAError as exc:
                message = f"⚠️ {exc}"
        choices = document_choices(assistant)
        return message, documents_table(assistant), gr.update(choices=choices, value=None), \
            gr.update(choices=choices), status_line(assistant)

    with gr.Blocks(title="Policy documents QA") as app:
        gr.Markdown("## Ask the policy documents\nEvery answer quotes its sources; click **[n]** to see the passage. "
                    "When the documents do not answer, it says so.")
        status = gr.Markdown(status_line(assistant), elem_id="qa-status")
        history = gr.State([])
        last_answer = gr.State(None)
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=440, elem_id="qa-chat")
                    question = gr.Textbox(label="Question", placeholder="Ask about the documents…", elem_id="qa-question")
                    with gr.Row():
                        ask_button = gr.Button("Ask", variant="primary", elem_id="qa-ask")
                        clear = gr.Button("New conversation")
                    with gr.Row():
                        only_type = gr.Dropdown(["", *sorted({d.doc_type for d in assistant.documents() if d.doc_type})],
                                                value="", label="Only this type", elem_id="qa-type")
                        only_year = gr.Dropdown(["", *sorted({d.issued[:4] for d in assistant.documents() if d.issued})],
                                                value="", label="Only issued in", elem_id="qa-year")
                    only = gr.Dropdown(document_choices(assistant), multiselect=True, label="Only these documents",
                                       elem_id="qa-filter")
                    gr.Examples(EXAMPLES, inputs=question)
                    with gr.Row():
                        up = gr.Button("Helpful", elem_id="qa-up")
                        down = gr.Button("Not helpful", elem_id="qa-down")
                    comment = gr.Textbox(label="Comment on this answer (optional)", elem_id="qa-comment")
                    thanks = gr.Markdown(elem_id="qa-feedback-status")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(elem_id="qa-sources")
        with gr.Tab("Documents"):
            files = gr.File(label="Upload documents (.txt, .md, .pdf, .docx, .html)", file_count="multiple", elem_id="qa-upload")
            upload_button = gr.Button("Add to the index", variant="primary", elem_id="qa-upload-button")
            upload_result = gr.Markdown(elem_id="qa-upload-result")
            table = gr.Dataframe(documents_table(assistant), headers=["title", "file", "chunks", "id"],
                                 interactive=False, elem_id="qa-documents")
            with gr.Row():
                to_delete = gr.Dropdown(document_choices(assistant), label="Document to delete")
                delete_button = gr.Button("Delete", variant="stop")
            delete_result = gr.Markdown()

        outputs = [chatbot, sources, history, question, last_answer, status]
        inputs = [question, chatbot, history, only, only_type, only_year]
        question.submit(respond, inputs, outputs, api_visibility="private")
        ask_button.click(respond, inputs, outputs, api_visibility="private")
        clear.click(lambda: ([], "", [], None), None, [chatbot, sources, history, last_answer], api_visibility="private")
        up.click(lambda a, c: give_feedback(a, 1, c), [last_answer, comment], thanks, api_visibility="private")
        down.click(lambda a, c: give_feedback(a, -1, c), [last_answer, comment], thanks, api_visibility="private")
        upload_button.click(upload, files, [upload_result, table, only, to_delete, status], api_visibility="private")
        delete_button.click(delete, to_delete, [delete_result, table, to_delete, only, status], api_visibility="private")
        api_question = gr.Textbox(visible=False)
        api_answer = gr.JSON(visible=False)
        api_question.submit(ask_api, api_question, api_answer, api_name="ask")
        app.load(lambda: status_line(assistant), None, status, api_visibility="private")
    return app


def launch(app: gr.Blocks, assistant: Assistant, port: int | None = None, block: bool = True) -> None:
    use_offline_defaults()
    settings = assistant.settings
    credentials = settings.ui_credentials()
    app.queue(default_concurrency_limit=4, max_size=64).launch(
        server_name=settings.ui_host,
        server_port=port if port is not None else (settings.ui_port or None),
        auth=credentials or None,
        css=STYLE,
        max_file_size=f"{settings.max_file_mb:g}mb",
        show_error=False,
        quiet=True,
        prevent_thread_lock=not block,
        allowed_paths=[],
        footer_links=[],
    )


__all__ = ["build_app", "launch"]
