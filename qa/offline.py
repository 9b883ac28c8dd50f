"""What the stack needs to run with no network, set by the entry points (the CLI and the chat),
never on import: Chroma and Gradio phone home unless told not to, and Hugging Face libraries look
for a hub. The library itself passes what it needs explicitly (Chroma's telemetry setting, the
tokenizer file below)."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def bundled_tiktoken_file(url: str = CL100K_URL) -> Path | None:
    """llama-index-core ships tiktoken's BPE files, named by the sha1 of their download URL."""
    import hashlib

    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
    path = folder / hashlib.sha1(url.encode()).hexdigest()
    return path if path.is_file() else None


def use_offline_defaults() -> None:
    """Environment defaults for a process started by `qa` or the chat; a value already set wins."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    bundled = bundled_tiktoken_file()
    if bundled is not None:
        # LlamaIndex's OpenAI classes call tiktoken themselves.
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(bundled.parent))
