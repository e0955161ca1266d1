from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZoomConfig(AppConfig):
    name = "zoom"
    verbose_name = _("Zoom")
