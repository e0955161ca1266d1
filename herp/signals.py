"""What herp tells the apps above it about people (DESIGN.md section 3: lower layers signal, higher ones
listen; herp never imports them).

- ``user_deactivated``: user, actor, company_id — a person of a company was deactivated (by an admin on
  the members page, or first thing when an operator deletes them). Sent with a plain ``send`` INSIDE the
  transaction that deactivates them, so that everything the apps do about it (the Zoom link stopped, the
  connection flagged, interviews re-planned, invitations written) commits or rolls back with the
  deactivation itself; a receiver that fails fails the deactivation. Receivers return nothing.
- ``deactivation_consequences``: user — asked before deactivating, for the confirmation page. Each
  receiver returns a list of sentences (for the admin, in the current language) saying what deactivating
  this person will do in its app; it must not change anything.
"""

from __future__ import annotations

from django.dispatch import Signal

user_deactivated = Signal()
deactivation_consequences = Signal()
