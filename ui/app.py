"""The chat page: a conversation with sources under each answer, a side panel with the documents, the
saved conversations and a source viewer, in English or Vietnamese. Served, with the OpenAI-compatible API, by ui/server.py (`qa serve`, `make run`).

Every list is read from the index when the page loads and after every upload or delete. What each
event does is in ui/actions.py.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from qa.assistant import Assistant
from ui.actions import PageActions, PageSession
from ui.assets import SCROLL_TO_QUOTE, page_assets
from ui.i18n import LANGUAGES


def build_app(assistant: Assistant, read_only: bool = False) -> gr.Blocks:
    """read_only: no upload and no delete (the handlers refuse too: hidden controls can still be called)."""
    page = PageActions(assistant, read_only)
    private: dict[str, Any] = {"api_visibility": "private"}
    quiet: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    # Page images and exports are copied into Gradio's cache; files older than a day are removed hourly.
    with gr.Blocks(title="Policy documents QA", delete_cache=(3600, 86400)) as app:
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
                        files = gr.UploadButton("Add documents…", file_count="multiple", elem_id="qa-upload", visible=not read_only)
                        upload_result = gr.HTML(elem_id="qa-upload-result")
                        to_delete = gr.Dropdown([], value=None, label="Document to delete", allow_custom_value=True,
                                                elem_id="qa-delete-choice", visible=not read_only)
                        delete_button = gr.Button("Delete…", elem_id="qa-delete", visible=not read_only)
                        share_button = gr.Button("Share with everyone", elem_id="qa-share",
                                                 visible=not read_only and bool(assistant.settings.ui_credentials()))
                        share_result = gr.HTML(elem_id="qa-share-result")
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
                        viewer_image = gr.Image(visible=False, type="pil", interactive=False, show_label=False, elem_id="qa-page",
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
                    delete_conversation_button, export_button, confirm_conversation, cancel_conversation, viewer_head,
                    share_button]
        listed = [documents, only_type, only_year, only_docs, to_delete, status, chat]
        filters = [only_docs, only_type, only_year]

        app.load(page.on_load, [browser_language, current_conversation, session],
                 [session, language, current_conversation, *labelled, *listed, saved],
                 js="(lang, saved, s) => [localStorage.getItem('qa-language') || navigator.language || '', "
                    "localStorage.getItem('qa-conversation') || '', s]", **private)
        language.input(page.switch_language, [language, session, *filters], [session, *labelled, *listed],
                       js="(lang, ...rest) => { localStorage.setItem('qa-language', lang); return [lang, ...rest]; }",
                       **private)
        current_conversation.change(None, current_conversation, None,
                                    js="(id) => { localStorage.setItem('qa-conversation', id || ''); }")

        ask_outputs = [chat, question, session, current_conversation, saved]
        question.submit(page.respond, [question, session, *filters], ask_outputs, show_progress="minimal",
                        api_visibility="private")
        ask_button.click(page.respond, [question, session, *filters], ask_outputs, show_progress="minimal",
                         api_visibility="private")
        example_send.click(page.respond, [example_data, session, *filters], ask_outputs, show_progress="minimal",
                           js="(q, ...rest) => [window.qaPage.example, ...rest]", api_visibility="private")
        new_button.click(page.new_conversation, session, [session, chat, current_conversation, saved], **quiet)
        rate_send.click(page.rate, [rate_data, session], [chat, session],
                        js="(d, s) => [window.qaPage.rate, s]", **quiet)
        open_send.click(page.open_source, [open_data, session], [tabs, viewer_head, viewer_image, viewer_text],
                        js="(d, s) => [window.qaPage.open, s]", **quiet
                        ).then(None, js=SCROLL_TO_QUOTE)

        files.upload(page.upload, [files, session, *filters], [upload_result, *listed], **private)
        delete_button.click(page.ask_delete, [to_delete, session], [session, confirm_box, confirm_text, delete_result], **quiet)
        confirm_button.click(page.confirm_delete, [session, *filters], [session, confirm_box, delete_result, *listed], **quiet)
        share_button.click(page.share, [to_delete, session, *filters], [share_result, *listed], **quiet)
        cancel_button.click(page.cancel_delete, session, [session, confirm_box, confirm_text], **quiet)

        saved.input(page.open_conversation, [saved, session], [session, chat, current_conversation], **quiet)
        rename_button.click(page.rename_conversation, [saved, rename_text, session], [saved, conversation_result], **quiet)
        delete_conversation_button.click(page.ask_delete_conversation, [saved, session],
                                         [session, confirm_conversation_box, confirm_conversation_text,
                                          conversation_result], **quiet)
        confirm_conversation.click(page.confirm_delete_conversation, session,
                                   [session, confirm_conversation_box, conversation_result, saved, chat,
                                    current_conversation], **quiet)
        cancel_conversation.click(page.cancel_delete_conversation, session,
                                  [session, confirm_conversation_box, confirm_conversation_text], **quiet)
        export_button.click(page.export_conversation, [saved, session], [export_file, conversation_result], **quiet)

        api_question = gr.Textbox(visible=False)
        api_answer = gr.JSON(visible=False)
        api_question.submit(page.ask_api, api_question, api_answer, api_name="ask")
    return app


__all__ = ["build_app", "page_assets"]
