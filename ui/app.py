"""The Gradio chat: answers with numbered citations and the quoted passages beneath them."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from qa.answer import Answer
from qa.assistant import Assistant
from qa.errors import QAError

EXAMPLES = [
    "How many industrial clusters are planned in Khanh Hoa and with what total area?",
    "Ket luan 544-KL/TU duoc ban hanh ngay nao?",
    "Which provinces are merged into the new Ninh Binh?",
]


def render_sources(answer: Answer) -> str:
    """Source cards as HTML; every piece of document text is escaped."""
    if answer.refused:
        return "<div class='qa-refusal'><b>No answer in the documents.</b></div>"
    cards = []
    for c in answer.citations:
        section = f" · {html.escape(c.section)}" if c.section else ""
        cards.append(
            f"<div class='qa-card' id='cite-{c.n}'><b>[{c.n}] {html.escape(c.title)}</b>{section}<br>"
            f"<small>{html.escape(c.source)} · characters {c.start}–{c.end}</small>"
            f"<blockquote><mark>{html.escape(' '.join(c.quote.split()))}</mark></blockquote></div>"
        )
    return "\n".join(cards)


def status_line(assistant: Assistant) -> str:
    docs = assistant.documents()
    return (
        f"Answerer: extractive (offline) · {len(docs)} documents, {assistant.store.count()} chunks · "
        f"settings {assistant.settings.settings_hash()}"
    )


def build_app(assistant: Assistant) -> gr.Blocks:
    def respond(question: str, history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, str]:
        history = list(history or [])
        try:
            answer = assistant.ask(question)
        except QAError as exc:
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": f"⚠️ {exc}"}]
            return history, "", ""
        text = html.escape(answer.answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
        return history, render_sources(answer), ""

    def ask_api(question: str) -> dict[str, Any]:
        return assistant.ask(question).model_dump()

    with gr.Blocks(title="Policy documents QA") as app:
        gr.Markdown("## Ask the policy documents\nEvery answer quotes its sources; if they do not answer, it says so.")
        status = gr.Markdown(status_line(assistant))
        chatbot = gr.Chatbot(label="Conversation", height=420)
        question = gr.Textbox(label="Question", placeholder="Ask about the documents…", lines=1)
        ask_button = gr.Button("Ask", variant="primary")
        sources = gr.HTML(label="Sources")
        gr.Examples(EXAMPLES, inputs=question)
        question.submit(respond, [question, chatbot], [chatbot, sources, question], api_name=False)
        ask_button.click(respond, [question, chatbot], [chatbot, sources, question], api_name=False)
        api_in = gr.Textbox(visible=False)
        api_out = gr.JSON(visible=False)
        api_in.submit(ask_api, api_in, api_out, api_name="ask")
        app.load(lambda: status_line(assistant), None, status, api_name=False)
    return app
