"""Prompt templates are files in the `prompts` package, read with importlib.resources so they ship
in the wheel. Loading checks that the code fills every placeholder."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from qa.errors import ConfigError

# Each prompt and exactly the placeholders the code fills in it.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "answer_system": frozenset({"refusal"}),
    "answer_user": frozenset({"sources", "question"}),
    "rewrite": frozenset({"history", "question"}),
}


@cache
def load_prompt(name: str) -> str:
    resource = resources.files("prompts").joinpath(f"{name}.md")
    if name not in PLACEHOLDERS or not resource.is_file():
        raise ConfigError(f"Prompt '{name}' not found in the prompts package ({resource}).")
    template = resource.read_text(encoding="utf-8")
    found = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    if found != PLACEHOLDERS[name]:
        raise ConfigError(
            f"Prompt {resource} has placeholders {sorted(found)}; the code fills {sorted(PLACEHOLDERS[name])}."
        )
    return template


def render(name: str, **values: str) -> str:
    return load_prompt(name).format(**values)
