"""A new visitor's first event made Gradio work out the config of every block on the page (about
9 ms for this page, on the server's event loop, so every other request waited too). Gradio needs a
block's config only when that block's value changes, or all of them for a deep link; this works
each one out when first asked for. Checked against the pinned Gradio (tests/test_load.py)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from copy import copy
from typing import Any

from gradio import state_holder


class ConfigsOnDemand(dict):
    """`SessionState.config_values`, filled per block when a block is first looked up, and whole
    when iterated."""

    def __init__(self, blocks_config: Any, block_ids: Iterable[int]) -> None:
        super().__init__()
        self._blocks_config = blocks_config
        self._pending = set(block_ids)

    def _compute(self, key: Any) -> bool:
        if key in self._pending:
            self._pending.discard(key)
            if not dict.__contains__(self, key):
                dict.__setitem__(self, key, self._blocks_config.config_for_block(key, [], self._blocks_config.blocks[key]))
            return True
        return False

    def _fill(self) -> None:
        for key in list(self._pending):
            self._compute(key)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._compute(key)

    def __getitem__(self, key: Any) -> Any:
        if not dict.__contains__(self, key):
            self._compute(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._pending.discard(key)
        dict.__setitem__(self, key, value)

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def items(self):
        self._fill()
        return dict.items(self)


def _session_init(self: Any, blocks: Any) -> None:
    """Gradio's SessionState.__init__ (6.31), with config_values filled on demand."""
    self.blocks_config = copy(blocks.default_config)
    self.config_values = ConfigsOnDemand(self.blocks_config, [k for k in self.blocks_config.blocks if k in blocks.blocks])
    self.state_data = {}
    self._state_ttl = {}
    self.is_closed = False
    self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600


GRADIO_SESSION_INIT = state_holder.SessionState.__init__


def install() -> None:
    state_holder.SessionState.__init__ = _session_init  # type: ignore[method-assign]
