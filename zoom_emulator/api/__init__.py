"""api.zoom.us/v2: one module per resource (``users``; meetings and settings join later), sharing ``base``."""

from __future__ import annotations
