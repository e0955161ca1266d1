"""Re-encrypt every stored Zoom token under the first TOKEN_ENCRYPTION_KEYS entry (RELIABILITY T10).

Key rotation: put the new key first in TOKEN_ENCRYPTION_KEYS (keeping the old one after it), deploy,
run this command, then remove the old key. Idempotent: rows already under the first key are left
alone. A row that does not decrypt (a key already removed, a value moved from another row) is marked
invalid, audited and reported; the run goes on.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations import grants
from integrations.crypto import TOKEN_FIELDS, TokenDecryptError, is_under_first_key, reencrypt_token
from integrations.models import LossReason, ZoomGrant


class Command(BaseCommand):
    help = "Re-encrypt every stored Zoom token under the first TOKEN_ENCRYPTION_KEYS entry."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = unchanged = failed = 0
        grant_ids = list(
            ZoomGrant.objects.exclude(access_token="", refresh_token="").order_by("pk").values_list("pk", flat=True)
        )
        for grant_id in grant_ids:
            outcome = self._rotate_one(grant_id)
            if outcome == "rotated":
                rotated += 1
            elif outcome == "unchanged":
                unchanged += 1
            elif outcome == "failed":
                failed += 1
                self.stderr.write(f"Grant {grant_id}: a token does not decrypt; the grant is now invalid.")
        self.stdout.write(f"Re-encrypted {rotated} grant(s), {unchanged} already under the first key, {failed} failed.")

    def _rotate_one(self, grant_id: int) -> str:
        # One short transaction per row, under its lock: a refresh running meanwhile waits, and its
        # compare-and-set sees the bumped version only if we changed the ciphertext.
        with transaction.atomic():
            grant = ZoomGrant.objects.select_for_update().filter(pk=grant_id).first()
            if grant is None:
                return "gone"
            values: dict[str, str] = {}
            try:
                for field in TOKEN_FIELDS:
                    ciphertext = getattr(grant, field)
                    if not ciphertext:
                        continue
                    # Decrypt (binding checked) even when already under the first key, so that a
                    # moved value is caught here rather than at the next refresh.
                    fresh = reencrypt_token(ciphertext, grant.binding(field))
                    if not is_under_first_key(ciphertext):
                        values[field] = fresh
            except TokenDecryptError as exc:
                failed, detail = True, str(exc)
            else:
                failed = False
                if values:
                    for name, ciphertext in values.items():
                        setattr(grant, name, ciphertext)
                    grant.save(update_fields=[*values, "updated_at"])
        if failed:
            # The one writer records, alerts and tells the connection; an already invalid grant has
            # been reported when it became so.
            grants.grant_invalidate(
                grant_id=grant_id,
                reason=LossReason.TOKEN_UNREADABLE,
                detail=f"A stored token could not be decrypted during key rotation ({detail}).",
            )
            return "failed"
        return "rotated" if values else "unchanged"
