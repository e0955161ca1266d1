"""``POST /webhooks/zoom/``: Zoom's event notifications (DESIGN.md "Webhooks"; RELIABILITY T12–T18).

Order matters: size, then the signature over the raw body and timestamp, and only then anything else —
``endpoint.url_validation`` included, so the endpoint never signs text for an unsigned caller (T15).
A verified event is stored (deduplicated by the body's hash) before anything acts on it and processed
after the response by a task; what a worker or broker outage leaves unprocessed, the sweeper picks up.
Nothing a caller sends answers 500.

Reference: https://developers.zoom.us/docs/api/webhooks/
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import grants
from integrations.models import LossReason, ZoomGrant
from zoom import attendance, payloads, remote_changes, signatures
from zoom.models import WebhookDelivery
from zoom.tasks import process_webhook_task

logger = logging.getLogger(__name__)

# Zoom's events are small JSON documents; anything bigger is refused before it is read (T16).
MAX_BODY_BYTES = 64 * 1024
MAX_PLAIN_TOKEN_LENGTH = 256
DEAUTHORIZED = "app_deauthorized"
URL_VALIDATION = "endpoint.url_validation"
MEETING_EVENTS = "meeting."
# A delivery whose meeting was being worked on is looked at again by the sweeper, this many times.
MAX_ATTEMPTS = 20


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
def zoom_webhook(request: HttpRequest) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "bad content length")
    if declared > MAX_BODY_BYTES:
        return _refuse(413, "too large")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _refuse(413, "too large")

    secret = signatures.verify(
        settings.ZOOM_WEBHOOK_SECRET_TOKENS,
        request.headers.get("x-zm-request-timestamp"),
        request.headers.get("x-zm-signature"),
        body,
    )
    if secret is None:
        logger.warning("Zoom webhook refused: missing, stale or wrong signature.")
        return _refuse(401, "invalid signature")

    if request.content_type != "application/json":
        return _refuse(415, "expected application/json")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return _refuse(400, "not JSON")
    if not isinstance(document, dict) or not isinstance(document.get("event"), str):
        return _refuse(400, "no event")
    event = document["event"][:100]
    payload = document.get("payload")
    if not isinstance(payload, dict):
        return _refuse(400, "no payload")

    if event == URL_VALIDATION:
        plain = payload.get("plainToken")
        if not isinstance(plain, str) or not plain or len(plain) > MAX_PLAIN_TOKEN_LENGTH:
            return _refuse(400, "bad plainToken")
        return JsonResponse({"plainToken": plain, "encryptedToken": signatures.url_validation_token(secret, plain)})

    user_id = payload.get("user_id", "")
    account_id = payload.get("account_id", "")
    if event == DEAUTHORIZED and (not isinstance(user_id, str) or not user_id):
        return _refuse(400, "no user_id")
    event_at = payloads.millis(document.get("event_ts"))
    if event.startswith(MEETING_EVENTS) and not remote_changes.ours(payloads.meeting_number(payload)):
        # Zoom sends the events of every meeting of every host who authorized the app. Of a meeting we
        # did not make, keep only what dedupe needs (the body's hash), and nothing acts on it.
        delivery, created = _store(body, event, {}, "", account_id, event_at)
        if created:
            _ignore_foreign(delivery)
        return JsonResponse({"status": "received" if created else "duplicate"})
    delivery, created = _store(body, event, payload, user_id, account_id, event_at)
    if created:
        transaction.on_commit(lambda: _queue(delivery.pk))
    return JsonResponse({"status": "received" if created else "duplicate"})


def _ignore_foreign(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        processed_at=timezone.now(), result=WebhookDelivery.Result.UNKNOWN_MEETING
    )


def _store(
    body: bytes, event: str, payload: dict[str, Any], user_id: Any, account_id: Any, event_at: datetime | None
) -> tuple[WebhookDelivery, bool]:
    body_hash = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.get_or_create(
                body_hash=body_hash,
                defaults={
                    "event": event,
                    "zoom_user_id": user_id[:64] if isinstance(user_id, str) else "",
                    "zoom_account_id": account_id[:64] if isinstance(account_id, str) else "",
                    "payload": payload,
                    "event_at": event_at,
                },
            )
    except IntegrityError:
        # The same body arrived twice at once: the other request stored it.
        return WebhookDelivery.objects.get(body_hash=body_hash), False


def _queue(delivery_id: int) -> None:
    try:
        process_webhook_task.delay(delivery_id)
    except Exception:  # a broker outage: the delivery is stored, and the sweeper will queue it
        logger.exception("Could not queue Zoom webhook delivery %s; the sweeper will pick it up.", delivery_id)


# --- Processing ------------------------------------------------------------------------------------


def delivery_process(delivery_id: int) -> str | None:
    """Acts on one stored delivery, once. Returns its result, or None when it was already processed
    or is left for the sweeper to look at again (its meeting was being worked on)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.processed_at is not None:
            return None
        delivery.attempts += 1
        try:
            result = _act(delivery)
        except remote_changes.CheckLater as later:
            if delivery.attempts < MAX_ATTEMPTS:
                delivery.last_error = str(later)[:500]
                delivery.save(update_fields=["attempts", "last_error"])
                return None
            result = WebhookDelivery.Result.IGNORED
        delivery.result = result
        delivery.processed_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "result", "processed_at", "last_error"])
    return result


def _act(delivery: WebhookDelivery) -> str:
    if delivery.event in remote_changes.EVENTS:
        return remote_changes.remote_change_handle(delivery)
    if delivery.event in attendance.EVENTS:
        return attendance.event_handle(delivery)
    if delivery.event != DEAUTHORIZED:
        return WebhookDelivery.Result.IGNORED
    return _deauthorized(delivery)


def _deauthorized(delivery: WebhookDelivery) -> str:
    client_id = delivery.payload.get("client_id")
    if client_id and client_id != settings.ZOOM_CLIENT_ID:
        return WebhookDelivery.Result.OTHER_APP
    grant = ZoomGrant.objects.filter(zoom_user_id=delivery.zoom_user_id).first()
    if grant is None:
        # Includes users we never knew, and is logged once; the echo of our own revoke finds the
        # grant already revoked below.
        logger.info("Zoom app_deauthorized for an unknown Zoom user; nothing to do.")
        return WebhookDelivery.Result.UNKNOWN_USER
    detail = "The Zoom user removed the app in Zoom (app_deauthorized)."
    if not grants.grant_revoke(grant_id=grant.pk, reason=LossReason.APP_REMOVED, detail=detail):
        return WebhookDelivery.Result.ALREADY_REVOKED
    return WebhookDelivery.Result.REVOKED


def deliveries_unprocessed(*, older_than_seconds: int = 60) -> list[int]:
    """Deliveries stored but never processed (a worker or broker outage), for the sweeper."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        WebhookDelivery.objects.filter(processed_at__isnull=True, received_at__lt=cutoff).values_list("pk", flat=True)
    )
