"""An OpenAI-compatible chat API over the corpus: `POST /v1/chat/completions` (plain and streamed as
server-sent events) and `GET /v1/models`, for Open WebUI, LibreChat or a script using the openai SDK.

The last user message is the question and earlier turns are its history. The answer's content ends
with the sentences its sources do not back, if any, and its sources, so a client that shows only the
text still shows where each [n] comes from; the same come as data in `citations` (doc, title, page,
path, quote, start, end) and `unsupported`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from qa.assistant import Assistant, History
from qa.errors import InputError, QAError
from qa.results import Answer

MODEL_ID = "qa-policy"
SOURCES_HEADING = "\n\nSources:\n"
UNSUPPORTED = "\n\n✗ Not supported by its sources: "
_FOOTER = re.compile(f"{re.escape(UNSUPPORTED)}|{re.escape(SOURCES_HEADING)}")


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    # A string, or OpenAI's list of parts ([{"type": "text", "text": ...}, ...]).
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    # Clients send temperature, max_tokens, user and more; answers come from the documents, so those are ignored.
    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[Message]
    stream: bool = False


def question_and_history(messages: list[Message]) -> tuple[str, History]:
    """The last user message is the question; earlier user turns, each with the reply that followed, the history."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise InputError("The last message must be the user's question.")
    history: History = []
    for i, message in enumerate(turns[:-1]):
        if message.role == "user":
            reply = turns[i + 1].text() if turns[i + 1].role == "assistant" else ""
            history.append((message.text(), _FOOTER.split(reply)[0].strip()))
    return turns[-1].text(), history



def footer_text(answer: Answer) -> str:
    """After the answer: each sentence its sources do not back (generated answers), then the sources,
    '[1] Title — Chương II › Điều 5, page 3, characters 497–722' per citation."""
    if answer.refused or not answer.citations:
        return ""
    warnings = "".join(
        f"{UNSUPPORTED}“{s.text}”" + (f" (not found: {', '.join(s.missing)})" if s.missing else "")
        for s in answer.unsupported
    )
    lines = []
    for c in answer.citations:
        where = ", ".join(part for part in (
            c.section if c.section and c.section != c.title else "", f"page {c.page}" if c.page else "",
            f"characters {c.start}–{c.end}", "" if c.shared else "your upload, not shared",
        ) if part)
        lines.append(f"[{c.n}] {c.title} — {where}")
    return warnings + SOURCES_HEADING + "\n".join(lines)


def answer_data(answer: Answer) -> dict[str, Any]:
    """The fields beyond OpenAI's: the citations as data, the refusal, the sentences not backed."""
    citations = [
        {"n": c.n, "doc": c.doc_id, "title": c.title, "source": c.source, "page": c.page, "path": c.section,
         "quote": c.quote, "start": c.start, "end": c.end, "shared": c.shared}
        for c in answer.citations
    ]
    unsupported = [{"text": s.text, "missing": s.missing} for s in answer.unsupported]
    return {"citations": citations, "refused": answer.refused, "unsupported": unsupported}


def completion(answer: Answer, completion_id: str, created: int) -> dict[str, Any]:
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": answer.as_text() + footer_text(answer)}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        **answer_data(answer),
    }


def _event(completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def stream_events(
    assistant: Assistant, question: str, history: History, completion_id: str, created: int, viewer: str | None = None
) -> Iterator[str]:
    """The answer as chat.completion.chunk events. The text is sent once its citations are resolved and
    its claims checked, so every [n] the client sees is the [n] of the citations that follow."""
    yield _event(completion_id, created, {"role": "assistant", "content": ""})
    try:
        answer = assistant.ask(question, history=history, viewer=viewer)
    except QAError as exc:
        yield _event(completion_id, created, {"content": f"Error: {exc}"}, "stop")
        yield "data: [DONE]\n\n"
        return
    yield _event(completion_id, created, {"content": answer.as_text()})
    if footer := footer_text(answer):
        yield _event(completion_id, created, {"content": footer})
    yield _event(completion_id, created, {}, "stop", **answer_data(answer))
    yield "data: [DONE]\n\n"


def chat_router(assistant: Assistant) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "qa-policy"}]}

    @router.post("/chat/completions", response_model=None)
    def chat_completions(request: ChatRequest, http: Request) -> dict[str, Any] | StreamingResponse:
        question, history = question_and_history(request.messages)
        viewer: str | None = getattr(http.state, "viewer", None)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if request.stream:
            assistant.check_question(question)  # a bad question is a 400, not an event stream that says so
            return StreamingResponse(stream_events(assistant, question, history, completion_id, created, viewer),
                                     media_type="text/event-stream")
        return completion(assistant.ask(question, history=history, viewer=viewer), completion_id, created)

    return router


def error_body(message: str, kind: Literal["invalid_request_error", "authentication_error", "rate_limit_error"]) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}
