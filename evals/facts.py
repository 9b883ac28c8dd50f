"""The question file format and the fact matcher.

A fact group passes when one of its alternatives occurs in the answer. Matching ignores case,
diacritics, runs of whitespace and thousands separators ("4,440" = "4440" = "4.440"), and an
alternative must match at word boundaries ("14" does not match "2014").
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import InputError
from qa.text import contains_phrase

QUESTION_TYPES = frozenset({
    "number", "date", "deadline", "person", "organisation", "list", "definition", "condition", "table_cell", "yes_no",
    "cross_lingual", "no_diacritics", "story", "unanswerable",
})


class EvalQuestion(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    question: str
    facts: list[list[str]] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    answerable: bool = True
    types: list[str] = Field(default_factory=list, description="Question types (QUESTION_TYPES); a question may have several.")
    lang: str = Field(default="", description="Language of the question: vi or en.")
    evidence: str = Field(default="", description="A short verbatim quote from the source that holds the answer.")


def contains_fact(answer: str, alternative: str) -> bool:
    return contains_phrase(answer, alternative)


def facts_passed(answer: str, facts: list[list[str]]) -> int:
    return sum(1 for group in facts if any(contains_fact(answer, alt) for alt in group))


def source_matches(citation_source: str, listed: list[str]) -> bool:
    """A listed source is a path relative to the documents folder; a citation carries a full path."""
    cited = Path(citation_source).as_posix()
    return any(cited == s or cited.endswith("/" + s.lstrip("/")) for s in listed)


def load_questions(path: Path) -> list[EvalQuestion]:
    if not path.is_file():
        raise InputError(f"Question file not found: {path}")
    questions: list[EvalQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = EvalQuestion.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else exc.errors()[0]["msg"]
            raise InputError(f"{path}:{number}: not a valid question ({reason}).") from None
        unknown = set(question.types) - QUESTION_TYPES
        if unknown:
            raise InputError(f"{path}:{number}: unknown question type(s) {sorted(unknown)}; known: {sorted(QUESTION_TYPES)}.")
        questions.append(question)
    ids = [q.id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(f"{path}: duplicate question ids: {', '.join(duplicates)}")
    if not questions:
        raise InputError(f"{path}: no questions.")
    return questions
