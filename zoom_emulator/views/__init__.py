"""Zoom's web pages (``pages``) and OAuth endpoints (``oauth``); the REST API lives in ``zoom_emulator.api``."""

from __future__ import annotations
