"""What integrations tells higher layers (DESIGN.md section 3: lower layers signal, higher ones listen).

``zoom`` listens to these to suspend, resume or invalidate personal links and to re-queue or stop
meetings, without integrations importing it. Every signal is sent after the transaction that made the
change has committed (``send_on_commit``), so a receiver never acts on a change that was rolled back,
and a receiver that fails is logged without undoing the change.

Arguments (all keyword; ids, never tokens):
- ``installation_connected``: installation, company_id, zoom_account_id, previous_account_id, grant_id
- ``installation_disconnected``: installation, company_id, previous_account_id, previous_grant_id, actor_id
- ``installation_needs_reconnect``: installation, company_id, reason
- ``installation_revoked``: installation, company_id, reason
- ``grant_invalidated``: grant_id, company_id, zoom_user_id, reason
- ``grant_revoked``: grant_id, company_id, zoom_user_id
- ``grant_reauthorized``: grant_id, company_id, zoom_user_id (an invalid or revoked grant got fresh
  tokens from a new authorization)
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

installation_connected = Signal()
installation_disconnected = Signal()
installation_needs_reconnect = Signal()
installation_revoked = Signal()
grant_invalidated = Signal()
grant_revoked = Signal()
grant_reauthorized = Signal()


def send_on_commit(signal: Signal, sender: type, **kwargs: Any) -> None:
    # send_robust: every receiver runs even when one fails (Django logs the failure). The change is
    # committed by then: a receiver's failure must not surface as an error of whoever made it.
    transaction.on_commit(lambda: signal.send_robust(sender=sender, **kwargs), robust=True)
