"""The chat page: a conversation with sources under each answer, a side panel with the documents, the
saved conversations and a source viewer, in English or Vietnamese. Served by `qa serve` and `make run`.

Every list is read from the index when the page loads and after every upload or delete. The write
actions (upload, delete, feedback, renaming or deleting conversations) need the page session that the
load event creates, and, with login on, the logged-in user; their events are private, and a bare call
to the queue by fn_index gets a session without either.
"""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html import escape as _escape
from pathlib import Path
from typing import Any

import gradio as gr

from qa.answer.base import AnswererUnavailable
from qa.assistant import NO_MATCHING_DOCUMENT, Assistant
from qa.errors import QAError
from qa.feedback import FeedbackStore
from qa.offline import use_offline_defaults
from qa.retrieve.filters import Filters
from qa.types import Answer, Citation, DocumentInfo
from ui.assets import SCROLL_TO_QUOTE, page_assets
from ui.conversations import ConversationStore, Turn
from ui.i18n import LANGUAGES, language_of, t
from ui.preview import document_html, page_image
from ui.render import (
    ShownTurn,
    conversation_html,
    conversation_markdown,
    document_label,
    documents_html,
    example_questions,
    file_name,
    is_pdf,
    welcome_html,
)
from ui.uploads import store_upload

log = logging.getLogger(__name__)


@dataclass
class PageSession:
    """One open page: its language, user, conversation and any delete waiting for confirmation."""

    token: str = ""  # set by the load event; empty for callers that never loaded the page
    user: str = ""
    lang: str = "en"
    conversation_id: str = ""
    turns: list[ShownTurn] = field(default_factory=list)
    pending_delete: str = ""
    pending_conversation_delete: str = ""


def build_app(assistant: Assistant) -> gr.Blocks:
    settings = assistant.settings
    feedback = FeedbackStore(settings.index_dir / "feedback.sqlite3")
    conversations = ConversationStore(settings.index_dir / "conversations.sqlite3")
    uploads = settings.index_dir / "uploads"
    login = bool(settings.ui_credentials())

    def may_write(session: PageSession, request: gr.Request | None) -> str:
        """'' when this caller may change stored data, else the message key saying why not."""
        if not session.token:
            return "reload"
        if login and (request is None or not request.username or request.username != session.user):
            return "login_needed"
        return ""

    def status_html(lang: str, documents: list[DocumentInfo]) -> str:
        return t(lang, "status", backend=assistant.backend, docs=len(documents), chunks=assistant.store.count(),
                 settings=settings.settings_hash())

    def chat_html(session: PageSession, documents: list[DocumentInfo] | None = None) -> str:
        if session.turns:
            return conversation_html(session.lang, session.turns, "")
        documents = assistant.documents() if documents is None else documents
        return welcome_html(session.lang, documents, example_questions(session.lang, documents))

    def contexts_for(answer: Answer) -> tuple[tuple[str, int], ...]:
        found = []
        for c in answer.citations:
            chunks = assistant.store.document_chunks(c.doc_id)
            around = next((ch for ch in chunks if ch.start <= c.start and c.end <= ch.end), None)
            found.append((around.text, around.start) if around else ("", 0))
        return tuple(found)

    def shown(turn: Turn) -> ShownTurn:
        return ShownTurn(turn.answer.question, turn.answer, rating=turn.rating, contexts=contexts_for(turn.answer))

    def conversation_choices(session: PageSession) -> Any:
        listed = conversations.owned_by(session.user)
        return gr.update(choices=[(c.title, c.conversation_id) for c in listed],
                         value=session.conversation_id or None)

    def lists(session: PageSession, only_docs: list[str] | None, only_type: str | None, only_year: str | None) -> list[Any]:
        """Every list on the page, read from the index now: [documents, type, year, docs, delete, status, chat]."""
        documents = assistant.documents()
        ids = {d.doc_id for d in documents}
        types = sorted({d.doc_type for d in documents if d.doc_type})
        years = sorted({d.issued[:4] for d in documents if d.issued}, reverse=True)
        doc_choices = [(f"{document_label(d)} ({file_name(d.source)})", d.doc_id) for d in documents]
        return [
            documents_html(session.lang, documents),
            gr.update(choices=types, value=only_type if only_type in types else None),
            gr.update(choices=years, value=only_year if only_year in years else None),
            gr.update(choices=doc_choices, value=[d for d in only_docs or [] if d in ids]),
            gr.update(choices=doc_choices, value=None),
            status_html(session.lang, documents),
            chat_html(session, documents),
        ]

    def labels(lang: str) -> list[Any]:
        return [
            f"<h1>{t(lang, 'title')}</h1>",
            gr.update(label=t(lang, "language")),
            gr.update(label=t(lang, "question"), placeholder=t(lang, "placeholder")),
            gr.update(value=t(lang, "ask")),
            gr.update(value=t(lang, "new_conversation")),
            gr.update(label=t(lang, "filters")),
            gr.update(label=t(lang, "only_type")),
            gr.update(label=t(lang, "only_year")),
            gr.update(label=t(lang, "only_docs")),
            gr.update(label=t(lang, "technical")),
            gr.update(label=t(lang, "tab_documents")),
            gr.update(label=t(lang, "tab_conversations")),
            gr.update(label=t(lang, "tab_source")),
            gr.update(label=t(lang, "upload")),
            gr.update(label=t(lang, "to_delete")),
            gr.update(value=t(lang, "delete")),
            gr.update(value=t(lang, "confirm")),
            gr.update(value=t(lang, "cancel")),
            gr.update(label=t(lang, "conversations")),
            gr.update(label=t(lang, "rename_to")),
            gr.update(value=t(lang, "rename")),
            gr.update(value=t(lang, "delete_conversation")),
            gr.update(value=t(lang, "export")),
            gr.update(value=t(lang, "confirm")),
            gr.update(value=t(lang, "cancel")),
            f"<p>{t(lang, 'viewer_empty')}</p>",
        ]

    def on_load(browser_language: str, saved_conversation: str, session: PageSession, request: gr.Request):
        session = replace(session, token=secrets.token_urlsafe(16), user=(request.username or "") if login else "",
                          lang=language_of(browser_language), turns=[])
        if saved_conversation and conversations.owns(session.user, saved_conversation):
            session.conversation_id = saved_conversation
            session.turns = [shown(turn) for turn in conversations.turns(session.user, saved_conversation)]
        else:
            session.conversation_id = ""
        return [session, session.lang, session.conversation_id, *labels(session.lang),
                *lists(session, [], None, None), conversation_choices(session)]

    def switch_language(lang: str, session: PageSession, only_docs: list[str] | None, only_type: str | None,
                        only_year: str | None):
        session.lang = lang if lang in LANGUAGES else "en"
        return [session, *labels(session.lang), *lists(session, only_docs, only_type, only_year)]

    def respond(question: str, session: PageSession, only_docs: list[str] | None, only_type: str | None,
                only_year: str | None, request: gr.Request) -> Iterator[list[Any]]:
        lang = session.lang
        if not session.token:
            session.turns = [*session.turns, ShownTurn(question, message=t(lang, "reload"))]
            yield [chat_html(session), gr.update(), session, gr.update(), gr.update()]
            return
        question = " ".join((question or "").split())
        if not question:
            yield [gr.update(), gr.update(), session, gr.update(), gr.update()]
            return
        if len(question) > settings.max_question_chars:
            message = t(lang, "too_long", n=len(question), limit=settings.max_question_chars)
            session.turns = [*session.turns, ShownTurn(question[:200] + "…", message=message)]
            yield [chat_html(session), gr.update(), session, gr.update(), gr.update()]
            return
        known = {d.doc_id for d in assistant.documents()}
        chosen = [d for d in only_docs or [] if d in known]
        filters = Filters(doc_ids=tuple(chosen), doc_type=only_type or None,
                          year=int(only_year) if only_year and only_year.isdigit() else None)
        history = [(s.answer.question, s.answer.answer) for s in session.turns if s.answer is not None]
        earlier = list(session.turns)
        partial = ""
        session.turns = [*earlier, ShownTurn(question)]
        yield [chat_html(session), "", session, gr.update(), gr.update()]
        answer: Answer | None = None
        try:
            for part in assistant.ask_stream(question, history=history, filters=filters):
                if isinstance(part, Answer):
                    answer = part
                else:
                    partial += part
                    session.turns = [*earlier, ShownTurn(question, partial=partial)]
                    yield [chat_html(session), gr.update(), session, gr.update(), gr.update()]
        except AnswererUnavailable as exc:
            # The reason names settings and servers: for the operator's log, not for the reader.
            log.warning("No answer: %s", exc)
            session.turns = [*earlier, ShownTurn(question, message=t(lang, "model_unavailable"))]
            yield [chat_html(session), question, session, gr.update(), gr.update()]
            return
        except QAError as exc:
            session.turns = [*earlier, ShownTurn(question, message=t(lang, "error", text=str(exc)))]
            yield [chat_html(session), question, session, gr.update(), gr.update()]
            return
        assert answer is not None
        if answer.notice == NO_MATCHING_DOCUMENT:
            answer = answer.model_copy(update={"notice": t(lang, "no_matching")})
        elif answer.notice and assistant.llm is not None and answer.backend != assistant.backend:
            log.warning("Fell back to the %s answer: %s", answer.backend, answer.notice)
            answer = answer.model_copy(update={"notice": t(lang, "fell_back")})
        elif len(chosen) < len(only_docs or []):
            answer = answer.model_copy(update={"notice": t(lang, "dropped_filter")})
        if not session.conversation_id:
            session.conversation_id = conversations.create(session.user, question)
        conversations.append(session.user, session.conversation_id, answer)
        session.turns = [*earlier, ShownTurn(question, answer, contexts=contexts_for(answer))]
        yield [chat_html(session), "", session, session.conversation_id, conversation_choices(session)]

    def rate(data: str, session: PageSession, request: gr.Request):
        if may_write(session, request):
            return chat_html(session), session
        try:
            asked = json.loads(data or "{}")
            position, rating, comment = int(asked["turn"]), int(asked["rating"]), str(asked.get("comment", ""))
        except (ValueError, KeyError, TypeError):
            return chat_html(session), session
        if rating not in (-1, 1) or not 0 <= position < len(session.turns):
            return chat_html(session), session
        turn = session.turns[position]
        if turn.answer is None:
            return chat_html(session), session
        feedback.record(turn.answer, rating, comment[:2000])
        conversations.rate(session.user, session.conversation_id, position, rating)
        session.turns[position] = replace(turn, rating=rating)
        return chat_html(session), session

    def open_source(data: str, session: PageSession):
        lang = session.lang
        try:
            asked = json.loads(data or "{}")
            turn = session.turns[int(asked["turn"])]
            citation: Citation = next(c for c in (turn.answer.citations if turn.answer else []) if c.n == int(asked["n"]))
        except (ValueError, KeyError, TypeError, IndexError, StopIteration):
            return gr.update(), gr.update(), gr.update(), gr.update()
        back = f"<a href='#turn-{int(asked['turn'])}'>{t(lang, 'back_to_answer')}</a>"
        title = f"<h2 class='qa-viewer-title'>[{citation.n}] {_escape(citation.title)}</h2>"
        text = assistant.store.document_text(citation.doc_id)
        if not text:
            return gr.Tabs(selected="source"), f"{title}<p role='status'>{t(lang, 'gone')}</p>{back}", \
                gr.update(value=None, visible=False), ""
        source = Path(citation.source)
        if asked.get("view") == "page" and is_pdf(citation) and source.is_file():
            image, found = page_image(source, citation.page or 1, citation.quote)
            caption = t(lang, "viewer_page", page=citation.page, file=_escape(file_name(citation.source)))
            note = "" if found else f"<p role='status'>{t(lang, 'viewer_quote_not_found')}</p>"
            head = f"{title}<p>{caption}</p>{note}{back}"
            below = "" if found else document_html(text, citation.start, citation.end)
            return (gr.Tabs(selected="source"), head,
                    gr.update(value=image, visible=True, label=caption), below)
        missing = f"<p role='status'>{t(lang, 'viewer_no_file')}</p>" if asked.get("view") == "page" else ""
        head = f"{title}<p>{t(lang, 'viewer_text', file=_escape(file_name(citation.source)))}</p>{missing}{back}"
        return gr.Tabs(selected="source"), head, gr.update(value=None, visible=False), \
            document_html(text, citation.start, citation.end)

    def upload(files: list[Any] | None, session: PageSession, only_docs: list[str] | None, only_type: str | None,
               only_year: str | None, request: gr.Request, progress: gr.Progress = gr.Progress()):
        lang = session.lang
        refused = may_write(session, request)
        if refused or not files:
            message = t(lang, refused or "choose_files")
            return [f"<p role='status'>{message}</p>", *lists(session, only_docs, only_type, only_year)]
        lines, stored = [], []
        for item in files:
            original = Path(getattr(item, "orig_name", None) or Path(str(item)).name).name
            try:
                stored.append(store_upload(Path(str(item)), original, uploads, int(settings.max_file_mb * 1e6)))
            except QAError as exc:
                lines.append(f"<li><b>{_escape(original)}</b>: {t(lang, 'status_skipped')}: {_escape(str(exc))}</li>")
        if stored:
            def on_progress(done: int, total: int, name: str) -> None:
                progress((done, total), desc=t(lang, "indexing", name=file_name(name)), unit="files")

            try:
                report = assistant.ingest(stored, progress=on_progress)
            except QAError as exc:
                lines.append(f"<li>{_escape(str(exc))}</li>")
            else:
                for r in report.files:
                    status = t(lang, f"status_{r.status}")
                    reason = f": {_escape(r.reason)}" if r.reason else ""
                    lines.append(f"<li><b>{_escape(file_name(str(r.path)))}</b>: {_escape(status)}{reason}</li>")
        return [f"<ul role='status'>{''.join(lines)}</ul>", *lists(session, only_docs, only_type, only_year)]

    def ask_delete(doc_id: str | None, session: PageSession, request: gr.Request):
        lang = session.lang
        refused = may_write(session, request)
        document = next((d for d in assistant.documents() if d.doc_id == doc_id), None)
        if refused or document is None:
            session.pending_delete = ""
            message = t(lang, refused or ("gone" if doc_id else "choose_document"))
            return session, gr.update(visible=False), "", f"<p role='status'>{message}</p>"
        session.pending_delete = document.doc_id
        question = t(lang, "confirm_delete", title=_escape(document.title[:120]))
        return session, gr.update(visible=True), f"<p role='alert'>{question}</p>", ""

    def confirm_delete(session: PageSession, only_docs: list[str] | None, only_type: str | None,
                       only_year: str | None, request: gr.Request):
        lang = session.lang
        refused = may_write(session, request)
        doc_id, session.pending_delete = session.pending_delete, ""
        document = next((d for d in assistant.documents() if d.doc_id == doc_id), None)
        if refused or not doc_id:
            message = t(lang, refused or "choose_document")
        elif document is None:
            message = t(lang, "gone")
        else:
            assistant.delete(document.doc_id)
            message = t(lang, "deleted", title=_escape(document.title[:120]))
        return [session, gr.update(visible=False), f"<p role='status'>{message}</p>",
                *lists(session, only_docs, only_type, only_year)]

    def cancel_delete(session: PageSession):
        session.pending_delete = ""
        return session, gr.update(visible=False), ""

    def new_conversation(session: PageSession):
        session.conversation_id, session.turns = "", []
        return session, chat_html(session), "", conversation_choices(session)

    def open_conversation(conversation_id: str | None, session: PageSession):
        if not conversation_id or not conversations.owns(session.user, conversation_id):
            return session, gr.update(), gr.update()
        session.conversation_id = conversation_id
        session.turns = [shown(turn) for turn in conversations.turns(session.user, conversation_id)]
        return session, chat_html(session), conversation_id

    def rename_conversation(conversation_id: str | None, title: str, session: PageSession, request: gr.Request):
        refused = may_write(session, request)
        if refused or not conversation_id:
            return conversation_choices(session), f"<p role='status'>{t(session.lang, refused or 'choose_conversation')}</p>"
        conversations.rename(session.user, conversation_id, title or "")
        return conversation_choices(session), f"<p role='status'>{t(session.lang, 'renamed')}</p>"

    def ask_delete_conversation(conversation_id: str | None, session: PageSession, request: gr.Request):
        refused = may_write(session, request)
        if refused or not conversation_id or not conversations.owns(session.user, conversation_id):
            session.pending_conversation_delete = ""
            message = t(session.lang, refused or "choose_conversation")
            return session, gr.update(visible=False), "", f"<p role='status'>{message}</p>"
        session.pending_conversation_delete = conversation_id
        title = _escape(conversations.title(session.user, conversation_id))
        return session, gr.update(visible=True), \
            f"<p role='alert'>{t(session.lang, 'confirm_delete_conversation', title=title)}</p>", ""

    def confirm_delete_conversation(session: PageSession, request: gr.Request):
        refused = may_write(session, request)
        conversation_id, session.pending_conversation_delete = session.pending_conversation_delete, ""
        if refused or not conversation_id:
            message = t(session.lang, refused or "choose_conversation")
        else:
            conversations.delete(session.user, conversation_id)
            message = t(session.lang, "conversation_deleted")
            if conversation_id == session.conversation_id:
                session.conversation_id, session.turns = "", []
        return (session, gr.update(visible=False), f"<p role='status'>{message}</p>", conversation_choices(session),
                chat_html(session), session.conversation_id)

    def cancel_delete_conversation(session: PageSession):
        session.pending_conversation_delete = ""
        return session, gr.update(visible=False), ""

    def export_conversation(conversation_id: str | None, session: PageSession):
        conversation_id = conversation_id or session.conversation_id
        if not conversation_id or not conversations.owns(session.user, conversation_id):
            return gr.update(visible=False), f"<p role='status'>{t(session.lang, 'choose_conversation')}</p>"
        title = conversations.title(session.user, conversation_id) or t(session.lang, "untitled")
        answers = [turn.answer for turn in conversations.turns(session.user, conversation_id)]
        folder = Path(tempfile.mkdtemp(prefix="qa-export-"))
        path = folder / f"conversation-{conversation_id[:8]}.md"
        path.write_text(conversation_markdown(session.lang, title, answers), encoding="utf-8")
        return gr.update(value=str(path), visible=True), ""

    def ask_api(question: str) -> dict[str, Any]:
        """For programs (gradio_client): the Answer as data; a QAError reaches the caller as its message."""
        try:
            return assistant.ask(question).model_dump()
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    private: dict[str, Any] = {"api_visibility": "private"}
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    with gr.Blocks(title="Policy documents QA") as app:
        session = gr.State(PageSession())
        with gr.Row(elem_id="qa-header", equal_height=True):
            header = gr.HTML(elem_id="qa-title", scale=4)
            language = gr.Radio([(name, code) for code, name in LANGUAGES.items()], value="en", label="Language",
                                elem_id="qa-language", scale=1)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, elem_id="qa-main"):
                chat = gr.HTML(elem_id="qa-chat")
                question = gr.Textbox(label="Your question", lines=1, max_lines=6, elem_id="qa-question")
                with gr.Row():
                    ask_button = gr.Button("Ask", variant="primary", elem_id="qa-ask")
                    new_button = gr.Button("New conversation", elem_id="qa-new")
                with gr.Accordion("Only some documents", open=False, elem_id="qa-filters") as filters_box:
                    only_type = gr.Dropdown([], value=None, label="Only this type", allow_custom_value=True,
                                            elem_id="qa-type")
                    only_year = gr.Dropdown([], value=None, label="Only issued in", allow_custom_value=True,
                                            elem_id="qa-year")
                    only_docs = gr.Dropdown([], value=[], multiselect=True, label="Only these documents",
                                            allow_custom_value=True, elem_id="qa-filter")
                with gr.Accordion("Technical details", open=False, elem_id="qa-technical") as technical_box:
                    status = gr.HTML(elem_id="qa-status")
            with gr.Column(scale=2, elem_id="qa-side"):
                with gr.Tabs(elem_id="qa-tabs") as tabs:
                    with gr.Tab("Documents", id="documents", elem_id="qa-tab-documents") as documents_tab:
                        documents = gr.HTML(elem_id="qa-documents")
                        files = gr.UploadButton("Add documents…", file_count="multiple", elem_id="qa-upload")
                        upload_result = gr.HTML(elem_id="qa-upload-result")
                        to_delete = gr.Dropdown([], value=None, label="Document to delete", allow_custom_value=True,
                                                elem_id="qa-delete-choice")
                        delete_button = gr.Button("Delete…", elem_id="qa-delete")
                        with gr.Group(visible=False, elem_id="qa-confirm-delete") as confirm_box:
                            confirm_text = gr.HTML()
                            with gr.Row():
                                confirm_button = gr.Button("Yes, delete it", elem_id="qa-confirm")
                                cancel_button = gr.Button("Cancel", elem_id="qa-cancel")
                        delete_result = gr.HTML(elem_id="qa-delete-result")
                    with gr.Tab("Conversations", id="conversations", elem_id="qa-tab-conversations") as conversations_tab:
                        saved = gr.Radio([], label="Saved conversations", elem_id="qa-conversations")
                        rename_text = gr.Textbox(label="New name", elem_id="qa-rename-text")
                        with gr.Row():
                            rename_button = gr.Button("Rename", elem_id="qa-rename")
                            delete_conversation_button = gr.Button("Delete conversation…", elem_id="qa-conversation-delete")
                            export_button = gr.Button("Export as Markdown", elem_id="qa-export")
                        with gr.Group(visible=False, elem_id="qa-confirm-conversation") as confirm_conversation_box:
                            confirm_conversation_text = gr.HTML()
                            with gr.Row():
                                confirm_conversation = gr.Button("Yes, delete it", elem_id="qa-conversation-confirm")
                                cancel_conversation = gr.Button("Cancel", elem_id="qa-conversation-cancel")
                        conversation_result = gr.HTML(elem_id="qa-conversation-result")
                        export_file = gr.File(visible=False, interactive=False, elem_id="qa-export-file")
                    with gr.Tab("Source", id="source", elem_id="qa-tab-source") as source_tab:
                        viewer_head = gr.HTML(elem_id="qa-viewer-head")
                        viewer_image = gr.Image(visible=False, type="pil", interactive=False, elem_id="qa-page",
                                                buttons=["fullscreen"])
                        viewer_text = gr.HTML(elem_id="qa-viewer-text")
        # Hidden: what the load hook and the buttons inside the conversation hand to the server.
        with gr.Row(elem_classes=["qa-bridge"]):
            browser_language = gr.Textbox(elem_classes=["qa-bridge"])
            current_conversation = gr.Textbox(elem_classes=["qa-bridge"])
            rate_data = gr.Textbox(elem_classes=["qa-bridge"])
            open_data = gr.Textbox(elem_classes=["qa-bridge"])
            example_data = gr.Textbox(elem_classes=["qa-bridge"])
            rate_send = gr.Button(elem_id="qa-rate-send", elem_classes=["qa-bridge"])
            open_send = gr.Button(elem_id="qa-open-send", elem_classes=["qa-bridge"])
            example_send = gr.Button(elem_id="qa-example-send", elem_classes=["qa-bridge"])

        labelled = [header, language, question, ask_button, new_button, filters_box, only_type, only_year, only_docs,
                    technical_box, documents_tab, conversations_tab, source_tab, files, to_delete,
                    delete_button, confirm_button, cancel_button, saved, rename_text, rename_button,
                    delete_conversation_button, export_button, confirm_conversation, cancel_conversation, viewer_head]
        listed = [documents, only_type, only_year, only_docs, to_delete, status, chat]
        filters = [only_docs, only_type, only_year]

        app.load(on_load, [browser_language, current_conversation, session],
                 [session, language, current_conversation, *labelled, *listed, saved],
                 js="(lang, saved, s) => [localStorage.getItem('qa-language') || navigator.language || '', "
                    "localStorage.getItem('qa-conversation') || '', s]", **private)
        language.input(switch_language, [language, session, *filters], [session, *labelled, *listed],
                       js="(lang, ...rest) => { localStorage.setItem('qa-language', lang); return [lang, ...rest]; }",
                       **private)
        current_conversation.change(None, current_conversation, None,
                                    js="(id) => { localStorage.setItem('qa-conversation', id || ''); }")

        ask_outputs = [chat, question, session, current_conversation, saved]
        question.submit(respond, [question, session, *filters], ask_outputs, show_progress="minimal",
                        api_visibility="private")
        ask_button.click(respond, [question, session, *filters], ask_outputs, show_progress="minimal",
                         api_visibility="private")
        example_send.click(respond, [example_data, session, *filters], ask_outputs, show_progress="minimal",
                           js="(q, ...rest) => [window.qaPage.example, ...rest]", api_visibility="private")
        new_button.click(new_conversation, session, [session, chat, current_conversation, saved], **quiet)
        rate_send.click(rate, [rate_data, session], [chat, session],
                        js="(d, s) => [window.qaPage.rate, s]", **quiet)
        open_send.click(open_source, [open_data, session], [tabs, viewer_head, viewer_image, viewer_text],
                        js="(d, s) => [window.qaPage.open, s]", **quiet
                        ).then(None, js=SCROLL_TO_QUOTE)

        files.upload(upload, [files, session, *filters], [upload_result, *listed], **private)
        delete_button.click(ask_delete, [to_delete, session], [session, confirm_box, confirm_text, delete_result], **quiet)
        confirm_button.click(confirm_delete, [session, *filters], [session, confirm_box, delete_result, *listed], **quiet)
        cancel_button.click(cancel_delete, session, [session, confirm_box, confirm_text], **quiet)

        saved.input(open_conversation, [saved, session], [session, chat, current_conversation], **quiet)
        rename_button.click(rename_conversation, [saved, rename_text, session], [saved, conversation_result], **quiet)
        delete_conversation_button.click(ask_delete_conversation, [saved, session],
                                         [session, confirm_conversation_box, confirm_conversation_text,
                                          conversation_result], **quiet)
        confirm_conversation.click(confirm_delete_conversation, session,
                                   [session, confirm_conversation_box, conversation_result, saved, chat,
                                    current_conversation], **quiet)
        cancel_conversation.click(cancel_delete_conversation, session,
                                  [session, confirm_conversation_box, confirm_conversation_text], **quiet)
        export_button.click(export_conversation, [saved, session], [export_file, conversation_result], **quiet)

        api_question = gr.Textbox(visible=False)
        api_answer = gr.JSON(visible=False)
        api_question.submit(ask_api, api_question, api_answer, api_name="ask")
    return app


def launch(app: gr.Blocks, assistant: Assistant, port: int | None = None, block: bool = True) -> None:
    use_offline_defaults()
    settings = assistant.settings
    credentials = settings.ui_credentials()
    app.queue(default_concurrency_limit=4, max_size=64).launch(
        server_name=settings.ui_host,
        server_port=port if port is not None else (settings.ui_port or None),
        auth=credentials or None,
        max_file_size=f"{settings.max_file_mb:g}mb",
        show_error=False,
        quiet=True,
        prevent_thread_lock=not block,
        allowed_paths=[],
        footer_links=[],
        **page_assets(),
    )


__all__ = ["build_app", "launch", "page_assets"]
