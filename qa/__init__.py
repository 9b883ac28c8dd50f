"""Question answering over policy documents, with citations.

Stages, each its own package: ingest (files -> documents -> chunks), index (Chroma, BM25,
embedders), retrieve (hybrid search), answer (answerers, grounding, citations). The Assistant
composes them; the CLI and the chat page are thin layers over it.
"""

from qa.assistant import Assistant
from qa.config import Settings, load_settings
from qa.errors import QAError
from qa.results import REFUSAL, REFUSAL_VI, Answer, Citation
from qa.retrieve.filters import Filters

__all__ = ["REFUSAL", "REFUSAL_VI", "Answer", "Assistant", "Citation", "Filters", "QAError", "Settings", "load_settings"]
