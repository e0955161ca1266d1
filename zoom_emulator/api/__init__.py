"""api.zoom.us/v2: one module per resource (``users``, ``meetings`` with the user settings), sharing ``base``."""

from __future__ import annotations
