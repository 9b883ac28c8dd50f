"""Prompt templates live as files in prompts/. Loading checks that the code fills every placeholder."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from qa.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

# Each prompt and exactly the placeholders the code fills in it.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "answer_system": frozenset({"refusal"}),
    "answer_user": frozenset({"sources", "question"}),
    "rewrite": frozenset({"history", "question"}),
}


@cache
def load_prompt(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    if name not in PLACEHOLDERS or not path.is_file():
        raise ConfigError(f"Prompt '{name}' not found at {path}.")
    template = path.read_text(encoding="utf-8")
    found = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    if found != PLACEHOLDERS[name]:
        raise ConfigError(
            f"Prompt {path} has placeholders {sorted(found)}; the code fills {sorted(PLACEHOLDERS[name])}."
        )
    return template


def render(name: str, **values: str) -> str:
    return load_prompt(name).format(**values)
