"""What zoom tells higher layers (scheduling listens; zoom never imports it).

- ``link_lost``: company_id, zoom_user_id, link_id — a person's link stopped hosting (unlinked or
  invalid). Meetings it hosts should be planned again so the host rule picks another host.
"""

from __future__ import annotations

from django.dispatch import Signal

from integrations.signals import send_on_commit

link_lost = Signal()

__all__ = ["link_lost", "send_on_commit"]
