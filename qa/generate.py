"""Generated answers from any OpenAI-compatible model: pack sources, call, stream, fail clearly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qa.answer import REFUSAL
from qa.chunking import count_tokens
from qa.config import Settings
from qa.errors import QAError
from qa.prompts import render
from qa.retrieve import Retrieved

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam


class LLMError(QAError):
    """The model could not produce an answer (after retries)."""


def source_block(n: int, hit: Retrieved) -> str:
    chunk = hit.chunk
    where = f"{chunk.title}" + (f" / {chunk.section}" if chunk.section else "")
    # The document text is data; angle brackets in it cannot close the delimiter.
    text = chunk.text.replace("<", "‹").replace(">", "›")
    return f'<source n="{n}" title="{where.replace(chr(34), chr(39))}">\n{text}\n</source>'


class LLMAnswerer:
    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.settings = settings
        key = settings.llm_api_key or settings.openai_api_key
        self.model = settings.llm_model_name()
        self.backend = f"llm:{self.model}"
        self._client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
        )

    def pack(self, question: str, retrieved: list[Retrieved]) -> list[Retrieved]:
        """Best sources first, as many as fit the model's window after the prompt and the answer."""
        fixed = count_tokens(render("answer_system", refusal=REFUSAL) + render("answer_user", sources="", question=question))
        budget = self.settings.llm_context_tokens - self.settings.llm_answer_tokens - fixed
        packed: list[Retrieved] = []
        for hit in retrieved:
            cost = count_tokens(source_block(len(packed) + 1, hit)) + 2
            if cost > budget:
                continue
            packed.append(hit)
            budget -= cost
        return packed

    def _messages(self, question: str, packed: list[Retrieved]) -> list[ChatCompletionMessageParam]:
        sources = "\n\n".join(source_block(n, hit) for n, hit in enumerate(packed, start=1))
        return [
            {"role": "system", "content": render("answer_system", refusal=REFUSAL)},
            {"role": "user", "content": render("answer_user", sources=sources, question=question)},
        ]

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
                return LLMError(f"The model ({self.model}) failed: {message}.")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"The model ({self.model}) failed: server error {exc.status_code}.")
        return LLMError(f"The model ({self.model}) sent a response that could not be read.")

    def complete(self, question: str, packed: list[Retrieved]) -> str:
        """One answer. The client retries timeouts, rate limits and 5xx; a malformed reply is retried here."""
        failure: LLMError | None = None
        for _ in range(self.settings.llm_retries + 1):
            try:
                response = self._client.chat.completions.create(
                    model=self.model, messages=self._messages(question, packed),
                    max_tokens=self.settings.llm_answer_tokens, temperature=0,
                )
                content = response.choices[0].message.content
            except (AttributeError, IndexError, TypeError, ValueError) as exc:
                failure = self._fail(exc)
                continue
            except Exception as exc:
                raise self._fail(exc) from None
            if isinstance(content, str) and content.strip():
                return content
            failure = LLMError(f"The model ({self.model}) sent an empty answer.")
        assert failure is not None
        raise failure

    def stream(self, question: str, packed: list[Retrieved]) -> Iterator[str]:
        try:
            events = self._client.chat.completions.create(
                model=self.model, messages=self._messages(question, packed),
                max_tokens=self.settings.llm_answer_tokens, temperature=0, stream=True,
            )
            for event in events:
                if event.choices and event.choices[0].delta and event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except Exception as exc:
            raise self._fail(exc) from None

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        """A follow-up question made standalone by the model; the question itself if that fails."""
        lines = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in history[-4:])
        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": render("rewrite", history=lines, question=question)}],
                max_tokens=120, temperature=0,
            )
            rewritten = (response.choices[0].message.content or "").strip().strip('"')
        except Exception:
            return question
        return rewritten if 0 < len(rewritten) <= self.settings.max_question_chars else question
