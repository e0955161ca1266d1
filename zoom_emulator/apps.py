from __future__ import annotations

from django.apps import AppConfig


class ZoomEmulatorConfig(AppConfig):
    name = "zoom_emulator"
    verbose_name = "Zoom emulator"
