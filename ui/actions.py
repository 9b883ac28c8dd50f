"""What the chat page does: the event handlers behind `ui.app.build_app`, one PageActions per app.

The write actions (upload, delete, feedback, renaming or deleting conversations) need the page session
that the load event creates and, with login on, the logged-in user. Their events are private, and a bare
call to the queue by fn_index runs with a fresh session that has neither, so it changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html import escape as _escape
from pathlib import Path
from typing import Any

import gradio as gr

from qa.answer.base import AnswererUnavailable
from qa.assistant import NO_MATCHING_DOCUMENT, Assistant
from qa.errors import IndexBusyError, QAError
from qa.feedback import FeedbackStore
from qa.results import Answer, Citation
from qa.retrieve.filters import Filters
from qa.types import DocumentInfo
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
from ui.uploads import ingest_uploads, safe_name, store_upload

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


class PageActions:
    """read_only: documents cannot be uploaded or deleted (`qa serve --read-only`)."""

    def __init__(self, assistant: Assistant, read_only: bool = False) -> None:
        self.assistant = assistant
        self.read_only = read_only
        self.settings = assistant.settings
        self.feedback = FeedbackStore(self.settings.index_dir / "feedback.sqlite3")
        self.conversations = ConversationStore(self.settings.index_dir / "conversations.sqlite3")
        self.uploads = self.settings.index_dir / "uploads"
        self.login = bool(self.settings.ui_credentials())
        # One file per conversation, overwritten by each export; Gradio serves a copy from its cache.
        self.exports = Path(tempfile.mkdtemp(prefix="qa-exports-"))
        weakref.finalize(self, shutil.rmtree, self.exports, ignore_errors=True)

    def may_write(self, session: PageSession, request: gr.Request | None) -> str:
        """'' when this caller may change stored data, else the message key saying why not."""
        if not session.token:
            return "reload"
        if self.login and (request is None or not request.username or request.username != session.user):
            return "login_needed"
        return ""

    def may_change_documents(self, session: PageSession, request: gr.Request | None) -> str:
        """'' when this caller may upload or delete documents, else the message key saying why not."""
        return "read_only" if self.read_only else self.may_write(session, request)

    def viewer(self, session: PageSession) -> str | None:
        """Whose questions these are: with login, the user (who sees the shared documents and their own
        uploads; admins see everything); without login, anyone, who sees the shared documents only
        (uploads made without login are shared; those of users from a time with login stay theirs)."""
        if not self.login:
            return ""
        return None if self.is_admin(session) else session.user

    def is_admin(self, session: PageSession) -> bool:
        return not self.login or session.user in self.settings.admins()

    def may_delete(self, session: PageSession, document: DocumentInfo) -> bool:
        """Admins delete anything; other users only their own uploads not yet shared."""
        return self.is_admin(session) or (document.added_by == session.user and not document.shared)

    def upload_folder(self, session: PageSession) -> Path:
        """One folder per user, so two users' files never share a place (or an owner)."""
        if not self.login:
            return self.uploads
        return self.uploads / f"{safe_name(session.user)[:40]}-{hashlib.sha1(session.user.encode()).hexdigest()[:8]}"

    def status_html(self, lang: str, documents: list[DocumentInfo]) -> str:
        # The documents this user may see, and their chunks: another user's private upload is not counted.
        return t(lang, "status", backend=self.assistant.backend, docs=len(documents), chunks=sum(d.chunks for d in documents),
                 settings=self.settings.settings_hash())

    def chat_html(self, session: PageSession, documents: list[DocumentInfo] | None = None) -> str:
        if session.turns:
            return conversation_html(session.lang, session.turns, "")
        documents = self.assistant.documents(self.viewer(session)) if documents is None else documents
        return welcome_html(session.lang, documents, example_questions(session.lang, documents))

    def contexts_for(self, answer: Answer) -> tuple[tuple[str, int], ...]:
        found = []
        for c in answer.citations:
            chunks = self.assistant.store.document_chunks(c.doc_id)
            around = next((ch for ch in chunks if ch.start <= c.start and c.end <= ch.end), None)
            found.append((around.text, around.start) if around else ("", 0))
        return tuple(found)

    def shown(self, turn: Turn) -> ShownTurn:
        return ShownTurn(turn.answer.question, turn.answer, rating=turn.rating, contexts=self.contexts_for(turn.answer))

    def conversation_choices(self, session: PageSession) -> Any:
        listed = self.conversations.owned_by(session.user)
        return gr.update(choices=[(c.title, c.conversation_id) for c in listed],
                         value=session.conversation_id or None)

    def lists(self, session: PageSession, only_docs: list[str] | None, only_type: str | None, only_year: str | None) -> list[Any]:
        """Every list on the page, read from the index now: [documents, type, year, docs, delete, status, chat]."""
        documents = self.assistant.documents(self.viewer(session))
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
            self.status_html(session.lang, documents),
            self.chat_html(session, documents),
        ]

    def labels(self, lang: str) -> list[Any]:
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
            gr.update(value=t(lang, "share")),
        ]

    def on_load(self, browser_language: str, saved_conversation: str, session: PageSession, request: gr.Request):
        session = replace(session, token=secrets.token_urlsafe(16), user=(request.username or "") if self.login else "",
                          lang=language_of(browser_language), turns=[])
        if saved_conversation and self.conversations.owns(session.user, saved_conversation):
            session.conversation_id = saved_conversation
            session.turns = [self.shown(turn) for turn in self.conversations.turns(session.user, saved_conversation)]
        else:
            session.conversation_id = ""
        labels = self.labels(session.lang)
        # Sharing is for admins: the button shows only to them (its handler refuses others anyway).
        labels[-1] = gr.update(value=t(session.lang, "share"),
                               visible=self.login and self.is_admin(session) and not self.read_only)
        return [session, session.lang, session.conversation_id, *labels,
                *self.lists(session, [], None, None), self.conversation_choices(session)]

    def switch_language(self, lang: str, session: PageSession, only_docs: list[str] | None, only_type: str | None,
                        only_year: str | None):
        session.lang = lang if lang in LANGUAGES else "en"
        return [session, *self.labels(session.lang), *self.lists(session, only_docs, only_type, only_year)]

    def respond(self, question: str, session: PageSession, only_docs: list[str] | None, only_type: str | None,
                only_year: str | None, request: gr.Request) -> Iterator[list[Any]]:
        lang = session.lang
        if not session.token:
            session.turns = [*session.turns, ShownTurn(question, message=t(lang, "reload"))]
            yield [self.chat_html(session), gr.update(), session, gr.update(), gr.update()]
            return
        question = " ".join((question or "").split())
        if not question:
            yield [gr.update(), gr.update(), session, gr.update(), gr.update()]
            return
        if len(question) > self.settings.max_question_chars:
            message = t(lang, "too_long", n=len(question), limit=self.settings.max_question_chars)
            session.turns = [*session.turns, ShownTurn(question[:200] + "…", message=message)]
            yield [self.chat_html(session), gr.update(), session, gr.update(), gr.update()]
            return
        known = {d.doc_id for d in self.assistant.documents(self.viewer(session))}
        chosen = [d for d in only_docs or [] if d in known]
        filters = Filters(doc_ids=tuple(chosen), doc_type=only_type or None,
                          year=int(only_year) if only_year and only_year.isdigit() else None)
        history = [(s.answer.question, s.answer.answer) for s in session.turns if s.answer is not None]
        earlier = list(session.turns)
        partial = ""
        session.turns = [*earlier, ShownTurn(question)]
        yield [self.chat_html(session), "", session, gr.update(), gr.update()]
        answer: Answer | None = None
        try:
            for part in self.assistant.ask_stream(question, history=history, filters=filters,
                                                       viewer=self.viewer(session)):
                if isinstance(part, Answer):
                    answer = part
                else:
                    partial += part
                    session.turns = [*earlier, ShownTurn(question, partial=partial)]
                    yield [self.chat_html(session), gr.update(), session, gr.update(), gr.update()]
        except AnswererUnavailable as exc:
            # The reason names self.settings and servers: for the operator's log, not for the reader.
            log.warning("No answer: %s", exc)
            session.turns = [*earlier, ShownTurn(question, message=t(lang, "model_unavailable"))]
            yield [self.chat_html(session), question, session, gr.update(), gr.update()]
            return
        except QAError as exc:
            session.turns = [*earlier, ShownTurn(question, message=t(lang, "error", text=str(exc)))]
            yield [self.chat_html(session), question, session, gr.update(), gr.update()]
            return
        assert answer is not None
        if answer.notice == NO_MATCHING_DOCUMENT:
            answer = answer.model_copy(update={"notice": t(lang, "no_matching")})
        elif answer.notice and self.assistant.llm is not None and answer.backend != self.assistant.backend:
            log.warning("Fell back to the %s answer: %s", answer.backend, answer.notice)
            answer = answer.model_copy(update={"notice": t(lang, "fell_back")})
        elif len(chosen) < len(only_docs or []):
            answer = answer.model_copy(update={"notice": t(lang, "dropped_filter")})
        if not self.conversations.owns(session.user, session.conversation_id):
            # New, or deleted from another tab since: this answer starts a saved conversation.
            session.conversation_id = self.conversations.create(session.user, question)
        self.conversations.append(session.user, session.conversation_id, answer)
        session.turns = [*earlier, ShownTurn(question, answer, contexts=self.contexts_for(answer))]
        yield [self.chat_html(session), "", session, session.conversation_id, self.conversation_choices(session)]

    def rate(self, data: str, session: PageSession, request: gr.Request):
        if self.may_write(session, request):
            return self.chat_html(session), session
        try:
            asked = json.loads(data or "{}")
            position, rating, comment = int(asked["turn"]), int(asked["rating"]), str(asked.get("comment", ""))
        except (ValueError, KeyError, TypeError):
            return self.chat_html(session), session
        if rating not in (-1, 1) or not 0 <= position < len(session.turns):
            return self.chat_html(session), session
        turn = session.turns[position]
        if turn.answer is None:
            return self.chat_html(session), session
        self.feedback.record(turn.answer, rating, comment[:2000])
        self.conversations.rate(session.user, session.conversation_id, position, rating)
        session.turns[position] = replace(turn, rating=rating)
        return self.chat_html(session), session

    def open_source(self, data: str, session: PageSession):
        lang = session.lang
        try:
            asked = json.loads(data or "{}")
            turn = session.turns[int(asked["turn"])]
            citation: Citation = next(c for c in (turn.answer.citations if turn.answer else []) if c.n == int(asked["n"]))
        except (ValueError, KeyError, TypeError, IndexError, StopIteration):
            return gr.update(), gr.update(), gr.update(), gr.update()
        back = f"<a href='#turn-{int(asked['turn'])}'>{t(lang, 'back_to_answer')}</a>"
        title = f"<h2 class='qa-viewer-title'>[{citation.n}] {_escape(citation.title)}</h2>"
        visible = any(d.doc_id == citation.doc_id for d in self.assistant.documents(self.viewer(session)))
        text = self.assistant.store.document_text(citation.doc_id) if visible else ""
        if not text:
            return gr.Tabs(selected="source"), f"{title}<p role='status'>{t(lang, 'gone')}</p>{back}", \
                gr.update(value=None, visible=False), ""
        source = Path(citation.source)
        if asked.get("view") == "page" and is_pdf(citation) and source.is_file():
            image, found = page_image(source, citation.page or 1, citation.quote)
            caption = t(lang, "viewer_page", page=citation.page, file=_escape(file_name(citation.source)))
            note = "" if found else f"<p role='status'>{t(lang, 'viewer_quote_not_found')}</p>"
            head = f"{title}<p class='qa-caption'>{caption}</p>{note}{back}"
            below = "" if found else document_html(text, citation.start, citation.end)
            return (gr.Tabs(selected="source"), head,
                    gr.update(value=image, visible=True, label=caption), below)
        missing = f"<p role='status'>{t(lang, 'viewer_no_file')}</p>" if asked.get("view") == "page" else ""
        head = f"{title}<p>{t(lang, 'viewer_text', file=_escape(file_name(citation.source)))}</p>{missing}{back}"
        return gr.Tabs(selected="source"), head, gr.update(value=None, visible=False), \
            document_html(text, citation.start, citation.end)

    def upload(self, files: list[Any] | None, session: PageSession, only_docs: list[str] | None, only_type: str | None,
               only_year: str | None, request: gr.Request,
               progress: gr.Progress = gr.Progress()):  # noqa: B008 - Gradio injects the tracker here
        lang = session.lang
        refused = self.may_change_documents(session, request)
        if refused or not files:
            message = t(lang, refused or "choose_files")
            return [f"<p role='status'>{message}</p>", *self.lists(session, only_docs, only_type, only_year)]
        lines, stored = [], []
        folder = self.upload_folder(session)
        for item in files:
            original = Path(getattr(item, "orig_name", None) or Path(str(item)).name).name
            try:
                stored.append(store_upload(Path(str(item)), original, folder, int(self.settings.max_file_mb * 1e6)))
            except QAError as exc:
                lines.append(f"<li><b>{_escape(original)}</b>: {t(lang, 'status_skipped')}: {_escape(str(exc))}</li>")
        if stored:
            def on_progress(done: int, total: int, name: str) -> None:
                progress((done, total), desc=t(lang, "indexing", name=file_name(name)), unit="files")

            try:
                report = ingest_uploads(self.assistant, stored, folder, on_progress, added_by=session.user,
                                        shared=self.is_admin(session))
            except IndexBusyError:
                lines.append(f"<li>{t(lang, 'busy')}</li>")
            except QAError as exc:
                log.warning("Upload failed: %s", exc)  # names server folders: for the operator, not the page
                lines.append(f"<li>{t(lang, 'store_failed')}</li>")
            else:
                for r in report.files:
                    status = t(lang, f"status_{r.status}")
                    reason = f": {_escape(r.reason)}" if r.reason else ""
                    lines.append(f"<li><b>{_escape(file_name(str(r.path)))}</b>: {_escape(status)}{reason}</li>")
                if not self.is_admin(session):
                    lines.append(f"<li>{t(lang, 'uploads_private')}</li>")
        return [f"<ul role='status'>{''.join(lines)}</ul>", *self.lists(session, only_docs, only_type, only_year)]

    def ask_delete(self, doc_id: str | None, session: PageSession, request: gr.Request):
        lang = session.lang
        refused = self.may_change_documents(session, request)
        document = next((d for d in self.assistant.documents(self.viewer(session)) if d.doc_id == doc_id), None)
        if not refused and document is not None and not self.may_delete(session, document):
            refused = "not_yours"
        if refused or document is None:
            session.pending_delete = ""
            message = t(lang, refused or ("gone" if doc_id else "choose_document"))
            return session, gr.update(visible=False), "", f"<p role='status'>{message}</p>"
        session.pending_delete = document.doc_id
        question = t(lang, "confirm_delete", title=_escape(document.title[:120]))
        return session, gr.update(visible=True), f"<p role='alert'>{question}</p>", ""

    def confirm_delete(self, session: PageSession, only_docs: list[str] | None, only_type: str | None,
                       only_year: str | None, request: gr.Request):
        lang = session.lang
        refused = self.may_change_documents(session, request)
        doc_id, session.pending_delete = session.pending_delete, ""
        document = next((d for d in self.assistant.documents(self.viewer(session)) if d.doc_id == doc_id), None)
        if refused or not doc_id:
            message = t(lang, refused or "choose_document")
        elif document is None:
            message = t(lang, "gone")
        elif not self.may_delete(session, document):
            message = t(lang, "not_yours")
        else:
            self.assistant.delete(document.doc_id)
            message = t(lang, "deleted", title=_escape(document.title[:120]))
        return [session, gr.update(visible=False), f"<p role='status'>{message}</p>",
                *self.lists(session, only_docs, only_type, only_year)]

    def share(self, doc_id: str | None, session: PageSession, only_docs: list[str] | None, only_type: str | None,
              only_year: str | None, request: gr.Request):
        """An admin shares a user's upload with everyone."""
        lang = session.lang
        refused = self.may_change_documents(session, request) or ("admins_only" if not self.is_admin(session) else "")
        document = next((d for d in self.assistant.documents(self.viewer(session)) if d.doc_id == doc_id), None)
        if refused or document is None:
            message = t(lang, refused or ("gone" if doc_id else "choose_document"))
        elif document.shared:
            message = t(lang, "already_shared", title=_escape(document.title[:120]))
        else:
            self.assistant.share(document.doc_id)
            message = t(lang, "now_shared", title=_escape(document.title[:120]))
        return [f"<p role='status'>{message}</p>", *self.lists(session, only_docs, only_type, only_year)]

    def cancel_delete(self, session: PageSession):
        session.pending_delete = ""
        return session, gr.update(visible=False), ""

    def new_conversation(self, session: PageSession):
        session.conversation_id, session.turns = "", []
        return session, self.chat_html(session), "", self.conversation_choices(session)

    def open_conversation(self, conversation_id: str | None, session: PageSession):
        if not conversation_id or not self.conversations.owns(session.user, conversation_id):
            return session, gr.update(), gr.update()
        session.conversation_id = conversation_id
        session.turns = [self.shown(turn) for turn in self.conversations.turns(session.user, conversation_id)]
        return session, self.chat_html(session), conversation_id

    def rename_conversation(self, conversation_id: str | None, title: str, session: PageSession, request: gr.Request):
        refused = self.may_write(session, request)
        if refused or not conversation_id:
            return self.conversation_choices(session), f"<p role='status'>{t(session.lang, refused or 'choose_conversation')}</p>"
        self.conversations.rename(session.user, conversation_id, title or "")
        return self.conversation_choices(session), f"<p role='status'>{t(session.lang, 'renamed')}</p>"

    def ask_delete_conversation(self, conversation_id: str | None, session: PageSession, request: gr.Request):
        refused = self.may_write(session, request)
        if refused or not conversation_id or not self.conversations.owns(session.user, conversation_id):
            session.pending_conversation_delete = ""
            message = t(session.lang, refused or "choose_conversation")
            return session, gr.update(visible=False), "", f"<p role='status'>{message}</p>"
        session.pending_conversation_delete = conversation_id
        title = _escape(self.conversations.title(session.user, conversation_id))
        return session, gr.update(visible=True), \
            f"<p role='alert'>{t(session.lang, 'confirm_delete_conversation', title=title)}</p>", ""

    def confirm_delete_conversation(self, session: PageSession, request: gr.Request):
        refused = self.may_write(session, request)
        conversation_id, session.pending_conversation_delete = session.pending_conversation_delete, ""
        if refused or not conversation_id:
            message = t(session.lang, refused or "choose_conversation")
        else:
            self.conversations.delete(session.user, conversation_id)
            message = t(session.lang, "conversation_deleted")
            if conversation_id == session.conversation_id:
                session.conversation_id, session.turns = "", []
        return (session, gr.update(visible=False), f"<p role='status'>{message}</p>", self.conversation_choices(session),
                self.chat_html(session), session.conversation_id)

    def cancel_delete_conversation(self, session: PageSession):
        session.pending_conversation_delete = ""
        return session, gr.update(visible=False), ""

    def export_conversation(self, conversation_id: str | None, session: PageSession):
        conversation_id = conversation_id or session.conversation_id
        if not conversation_id or not self.conversations.owns(session.user, conversation_id):
            return gr.update(visible=False), f"<p role='status'>{t(session.lang, 'choose_conversation')}</p>"
        title = self.conversations.title(session.user, conversation_id) or t(session.lang, "untitled")
        answers = [turn.answer for turn in self.conversations.turns(session.user, conversation_id)]
        path = self.exports / f"conversation-{conversation_id}.md"
        path.write_text(conversation_markdown(session.lang, title, answers), encoding="utf-8")
        return gr.update(value=str(path), visible=True), ""

    def ask_api(self, question: str, request: gr.Request) -> dict[str, Any]:
        """For programs (gradio_client): the Answer as data; a QAError reaches the caller as its message."""
        try:
            user = (request.username or "") if self.login else ""
            viewer = None if self.login and user in self.settings.admins() else user
            return self.assistant.ask(question, viewer=viewer).model_dump()
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
