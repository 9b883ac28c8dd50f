"""Generated answers from any OpenAI-compatible model: pack sources, call, stream, fail clearly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, cast

from qa.answer.base import AnswererUnavailable, AnswerRequest, Draft
from qa.answer.grounding import ground
from qa.answer.prompts import render
from qa.config import Settings
from qa.ingest.chunking import count_tokens
from qa.question import Question
from qa.results import REFUSALS, Retrieved, refusal_for

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam


class LLMError(AnswererUnavailable):
    """The model could not produce an answer (after retries)."""


# {"role": "system" | "user" | "assistant", "content": text}
Message = dict[str, str]


def source_block(n: int, hit: Retrieved) -> str:
    """One numbered source, with what the anatomy knows of its document (number, type, issuer,
    date), so the model can answer 'who issued it' or 'when' from the header and not guess."""
    chunk = hit.chunk
    where = f"{chunk.title}" + (f" / {chunk.section}" if chunk.section else "")
    # A chunk that opens inside a table carries the table's header row: what its rows' cells are.
    known = {"number": chunk.doc_number, "type": chunk.doc_type, "issuer": chunk.issuer, "issued": chunk.issued,
             "table_header": chunk.table_header}
    about = "".join(f' {name}="{_attribute(value)}"' for name, value in known.items() if value)
    # The document text is data; angle brackets in it cannot close the delimiter.
    text = chunk.text.replace("<", "‹").replace(">", "›")
    return f'<source n="{n}" title="{_attribute(where)}"{about}>\n{text}\n</source>'


def _attribute(value: str) -> str:
    return value.replace('"', "'").replace("<", "‹").replace(">", "›")


class ChatModel(Protocol):
    """What GeneratedAnswerer needs of a model: the OpenAI client (OpenAIChat below) or any LlamaIndex
    LLM (qa.llamaindex.LlamaIndexModel). Failures are raised as LLMError, with a message that says why."""

    name: str

    def chat(self, messages: list[Message], max_tokens: int) -> str: ...

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


class OpenAIChat:
    """Any OpenAI-compatible server through the openai client: retries, and errors that say what to do."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.settings = settings
        # OPENAI_API_KEY goes only to OpenAI itself: another server (vLLM, Ollama, anyone's URL)
        # gets its own key, QA_LLM_API_KEY, or none.
        key = settings.llm_api_key if settings.llm_base_url else settings.llm_api_key or settings.openai_api_key
        self.name = settings.llm_model_name()
        self._client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
        )

    def _fail(self, exc: Exception) -> LLMError:
        import openai

        kind = {
            openai.APITimeoutError: f"timed out after {self.settings.llm_timeout:g} s",
            openai.RateLimitError: "rate limit reached",
            openai.AuthenticationError: "the key was refused; check OPENAI_API_KEY or QA_LLM_API_KEY",
            openai.APIConnectionError: "the server could not be reached",
        }
        for cls, message in kind.items():
            if isinstance(exc, cls):
                return LLMError(f"The model ({self.name}) failed: {message}.")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"The model ({self.name}) failed: server error {exc.status_code}.")
        return LLMError(f"The model ({self.name}) sent a response that could not be read.")

    def chat(self, messages: list[Message], max_tokens: int) -> str:
        """One answer. The client retries timeouts, rate limits and 5xx; a malformed reply is retried here."""
        failure: LLMError | None = None
        for _ in range(self.settings.llm_retries + 1):
            try:
                response = self._client.chat.completions.create(
                    model=self.name, messages=cast("list[ChatCompletionMessageParam]", messages),
                    max_tokens=max_tokens, temperature=0,
                )
                content = response.choices[0].message.content
            except (AttributeError, IndexError, TypeError, ValueError) as exc:
                failure = self._fail(exc)
                continue
            except Exception as exc:
                raise self._fail(exc) from None
            if isinstance(content, str) and content.strip():
                return content
            failure = LLMError(f"The model ({self.name}) sent an empty answer.")
        assert failure is not None
        raise failure

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        try:
            events = self._client.chat.completions.create(
                model=self.name, messages=cast("list[ChatCompletionMessageParam]", messages),
                max_tokens=max_tokens, temperature=0, stream=True,
            )
            for event in events:
                if event.choices and event.choices[0].delta and event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except Exception as exc:
            raise self._fail(exc) from None


def _quoted_first(request: AnswerRequest) -> list[Retrieved]:
    """The passages the extractive answer quotes, when the refusal gate worked it out (a list whose
    items run into the next chunk, a row under its table's header, a passage found inside the best
    document beyond the top k), then the rest of what retrieval found. A retrieved passage keeps its
    score; one retrieval did not rank has none."""
    hits = {hit.chunk.chunk_id: hit for hit in request.retrieved}
    quoted = {chunk.chunk_id: chunk for chunk in (request.extractive.passages if request.extractive is not None else ())}
    first = [hits.get(chunk_id) or Retrieved(chunk, 0.0, None, None, None) for chunk_id, chunk in quoted.items()]
    return [*first, *(hit for hit in request.retrieved if hit.chunk.chunk_id not in quoted)]


class GeneratedAnswerer:
    """Answers written by a model from the best sources that fit its window; every [n] is mapped to a
    retrieved source and every claim checked against it.

    model: any ChatModel; by default the OpenAI-compatible server the settings name.
    """

    def __init__(self, settings: Settings, model: ChatModel | None = None) -> None:
        self.settings = settings
        self.model = model or OpenAIChat(settings)
        self.backend = f"llm:{self.model.name}"

    def answer(self, request: AnswerRequest) -> Iterator[str | Draft]:
        question = request.question
        packed = self.pack(question, _quoted_first(request))
        messages = self._messages(question, packed)
        if not request.streaming:
            yield self.draft(self.model.chat(messages, self.settings.llm_answer_tokens), packed, question)
            return
        pieces = []
        for piece in self.model.stream(messages, self.settings.llm_answer_tokens):
            pieces.append(piece)
            yield piece
        yield self.draft("".join(pieces), packed, question)

    def draft(self, text: str, packed: list[Retrieved], question: Question) -> Draft:
        if not packed or any(r.rstrip(".").lower() in text.lower() for r in REFUSALS):
            return Draft(refusal_for(question.language), True, [], 0.0, self.backend)
        cleaned, citations, sentences = ground(text, packed)
        supported = sum(s.supported for s in sentences)
        return Draft(cleaned, False, citations, round(supported / max(len(sentences), 1), 4), self.backend, sentences)

    def pack(self, question: Question, retrieved: list[Retrieved]) -> list[Retrieved]:
        """Best sources first, as many as fit the model's window after the prompt and the answer."""
        fixed = count_tokens(self._system(question) + render("answer_user", sources="", question=question.text))
        budget = self.settings.llm_context_tokens - self.settings.llm_answer_tokens - fixed
        packed: list[Retrieved] = []
        for hit in retrieved:
            cost = count_tokens(source_block(len(packed) + 1, hit)) + 2
            if cost > budget:
                continue
            packed.append(hit)
            budget -= cost
        return packed

    @staticmethod
    def _system(question: Question) -> str:
        return render("answer_system", refusal=refusal_for(question.language))

    def _messages(self, question: Question, packed: list[Retrieved]) -> list[Message]:
        sources = "\n\n".join(source_block(n, hit) for n, hit in enumerate(packed, start=1))
        return [
            {"role": "system", "content": self._system(question)},
            {"role": "user", "content": render("answer_user", sources=sources, question=question.text)},
        ]

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        """A follow-up question made standalone by the model; the question itself if that fails."""
        lines = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-4:])
        try:
            reply = self.model.chat([{"role": "user", "content": render("rewrite", history=lines, question=question)}], 120)
        except Exception:
            return question
        rewritten = reply.strip().strip('"')
        return rewritten if 0 < len(rewritten) <= self.settings.max_question_chars else question
