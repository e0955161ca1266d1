"""Database connections: PostgreSQL timestamps that Python cannot hold are read at the calendar's edge.

PostgreSQL stores dates before year 1 (``0001-12-31 BC``, written by a form that once accepted year 1 in
a zone east of UTC) and ``±infinity``; psycopg refuses to load them with ``DataError``, so one such row
would fail every page and task that reads it — the support admin's list for every company included
(RELIABILITY T29). Each new connection gets loaders that answer the nearest time Python has instead;
``herp.fields.BoundedDateTimeField`` then clamps it a day further in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _edge(data: Any) -> datetime:
    text = bytes(data).decode("ascii", "replace")
    return datetime.min if ("BC" in text or text.startswith("-")) else datetime.max


def saturate_timestamps(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: install the saturating loaders on a new PostgreSQL connection."""
    if connection.vendor != "postgresql":
        return
    from psycopg import DataError
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestampLoader

    adapters = connection.connection.adapters
    # Django's own timestamptz loader (it attaches the connection's zone); kept as the base, so that
    # Django sees the zone it expects and does not replace the loader per cursor.
    django_loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)

    class SaturatingTimestamptz(django_loader):  # type: ignore[misc, valid-type]
        def load(self, data: Any) -> datetime:
            try:
                loaded: datetime = super().load(data)
                return loaded
            except DataError:
                return _edge(data).replace(tzinfo=self.timezone)

    class SaturatingTimestamp(TimestampLoader):
        def load(self, data: Any) -> datetime:
            try:
                loaded: datetime = super().load(data)
                return loaded
            except DataError:
                return _edge(data)

    adapters.register_loader("timestamptz", SaturatingTimestamptz)
    adapters.register_loader("timestamp", SaturatingTimestamp)
