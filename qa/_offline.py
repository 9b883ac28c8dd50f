"""Environment the stack needs to run with no network. Imported first by `qa/__init__.py`.

tiktoken downloads its BPE files unless TIKTOKEN_CACHE_DIR points at the copies llama-index-core
ships; Chroma and Gradio phone home unless told not to.
"""

import os
from importlib.util import find_spec


def _llama_index_tiktoken_cache() -> str | None:
    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "_static", "tiktoken_cache")
    return folder if os.path.isdir(folder) else None


os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
_cache = _llama_index_tiktoken_cache()
if _cache:
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", _cache)
