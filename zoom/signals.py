"""What zoom tells higher layers (scheduling listens; zoom never imports it).

- ``link_lost``: company_id, zoom_user_id, link_id — a person's link stopped hosting (unlinked or
  invalid). Meetings it hosts should be planned again so the host rule picks another host. Sent on
  commit.
- ``meeting_synced``: meeting_id, company_id — the reconcile stored what Zoom holds for the meeting (a
  URL, a time, its deletion). Sent with a plain ``send`` INSIDE the transaction that stores it, so that
  what receivers write (the invitations) commits or rolls back with it; a receiver that fails fails
  the store, which the reconcile retries.
"""

from __future__ import annotations

from django.dispatch import Signal

from integrations.signals import send_on_commit

link_lost = Signal()
meeting_synced = Signal()

__all__ = ["link_lost", "meeting_synced", "send_on_commit"]
