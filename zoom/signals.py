"""What zoom tells higher layers (scheduling listens; zoom never imports it).

- ``link_lost``: company_id, zoom_user_id, link_id — a person's link stopped hosting (unlinked or
  invalid). Meetings it hosts should be planned again so the host rule picks another host.
- ``meeting_synced``: meeting_id, company_id — the reconcile stored Zoom's answer for a meeting (its
  URL, passcode and time as Zoom has them) or the meeting ended deleted. Sent with plain ``send``
  INSIDE the transaction that writes it, so a receiver's writes (scheduling's invitations) commit or
  roll back with Zoom's answer; a receiver that raises makes the reconcile retry.
"""

from __future__ import annotations

from django.dispatch import Signal

from integrations.signals import send_on_commit

link_lost = Signal()
meeting_synced = Signal()

__all__ = ["link_lost", "meeting_synced", "send_on_commit"]
