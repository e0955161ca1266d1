"""What zoom tells higher layers (scheduling listens; zoom never imports it).

- ``link_lost``: company_id, zoom_user_id, link_id — a person's link stopped hosting (unlinked or
  invalid). Meetings it hosts should be planned again so the host rule picks another host. Sent on
  commit.
- ``meeting_synced``: meeting_id, company_id — the reconcile stored what Zoom holds for the meeting (a
  URL, a time, its deletion). Sent with a plain ``send`` INSIDE the transaction that stores it, so that
  what receivers write (the invitations) commits or rolls back with it; a receiver that fails fails
  the store, which the reconcile retries.
- ``guest_waiting``: meeting_id, company_id, incident_id — a guest waits and none of the interview's
  people is there (issue 15). Sent on commit, once per incident.
- ``guest_rescued``: meeting_id, company_id, incident_id — one of the interview's people joined (or the
  meeting ended): the incident is closed. Sent on commit.
"""

from __future__ import annotations

from django.dispatch import Signal

from integrations.signals import send_on_commit

link_lost = Signal()
meeting_synced = Signal()
guest_waiting = Signal()
guest_rescued = Signal()

__all__ = ["guest_rescued", "guest_waiting", "link_lost", "meeting_synced", "send_on_commit"]
