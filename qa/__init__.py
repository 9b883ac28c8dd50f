"""Question answering over policy documents, with citations."""

import qa._offline  # noqa: F401  (sets offline environment before the stack is imported)
from qa.answer import REFUSAL, Answer, Citation
from qa.assistant import Assistant
from qa.config import Settings, load_settings
from qa.errors import QAError
from qa.retrieve import Filters

__all__ = ["REFUSAL", "Answer", "Assistant", "Citation", "Filters", "QAError", "Settings", "load_settings"]
