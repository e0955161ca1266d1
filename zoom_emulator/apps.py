from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from zoom_emulator.ids import DB


def _immediate_transactions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On SQLite, the emulator's transactions take the write lock when they begin (``BEGIN IMMEDIATE``,
    Django's ``transaction_mode`` option, set here for the emulator's own alias only).

    A deferred transaction that reads and then writes fails at once with "database is locked" when another
    connection writes meanwhile (SQLite returns BUSY instead of waiting, to avoid a deadlock), and the
    emulator's webhook threads write while requests run. With the lock taken up front, transactions wait
    their turn within the busy timeout instead. PostgreSQL needs nothing of this."""
    if connection.alias == DB and connection.vendor == "sqlite" and connection.transaction_mode is None:
        connection.transaction_mode = "IMMEDIATE"


class ZoomEmulatorConfig(AppConfig):
    name = "zoom_emulator"
    verbose_name = "Zoom emulator"

    def ready(self) -> None:
        connection_created.connect(_immediate_transactions, dispatch_uid="zoom_emulator.immediate_transactions")
