from __future__ import annotations

from tests.unit.scheduling.fixtures import (  # noqa: F401  (fixtures)
    alice,
    bob,
    company,
    connect,
    connected,
    fake_zoom,
    installer,
    link_factory,
    person,
    zoom,
)
