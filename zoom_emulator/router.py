"""Keeps the emulator's tables in their own database (alias ``zoom_emulator``) and everything else out of it."""

from __future__ import annotations

from typing import Any

from django.db import models

EMULATOR_APP = "zoom_emulator"
EMULATOR_DB = "zoom_emulator"


class EmulatorRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        return EMULATOR_DB if model._meta.app_label == EMULATOR_APP else None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return EMULATOR_DB if model._meta.app_label == EMULATOR_APP else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        in_emulator = {obj1._meta.app_label == EMULATOR_APP, obj2._meta.app_label == EMULATOR_APP}
        return None if in_emulator == {False} else len(in_emulator) == 1

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return (app_label == EMULATOR_APP) == (db == EMULATOR_DB)
