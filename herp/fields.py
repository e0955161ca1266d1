"""Model fields of our own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models

from herp.timebounds import clamp


class BoundedDateTimeField(models.DateTimeField):  # type: ignore[type-arg]  # a plain datetime field
    """A DateTimeField whose values are read back inside ``herp.timebounds``' range, so a row holding a
    time at the calendar's edge (an old row, an import) can be shown, shifted and compared without
    ``OverflowError``. Writing is unchanged; the forms bound what is written."""

    def from_db_value(self, value: datetime | None, expression: Any, connection: Any) -> datetime | None:
        return None if value is None else clamp(value)
