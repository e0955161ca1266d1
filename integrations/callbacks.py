"""What every Zoom redirect back to us must pass before its code is used (connect and link alike)."""

from __future__ import annotations

from herp.tenancy import MemberRequest
from integrations import handshake
from integrations.models import IntegrationEvent
from integrations.services import ConnectionFailed


def callback_read(
    request: MemberRequest, purpose: handshake.Purpose, *, failed_kind: IntegrationEvent.Kind
) -> tuple[handshake.Pending, str]:
    """The person's pending handshake and Zoom's code, or ConnectionFailed (recorded in the audit log):
    a state that is missing, forged, expired, reused or someone else's (T01, T02), Zoom's ``error=``, or
    no code (T04)."""
    try:
        pending = handshake.finish(request, request.GET.get("state"), purpose)
    except handshake.StateRejected as rejected:
        IntegrationEvent.record(
            request.user.tenant,
            IntegrationEvent.Kind.CALLBACK_REJECTED,
            actor=request.user,
            reason=f"state_{rejected.reason}",
            purpose=purpose.value,
        )
        raise ConnectionFailed("state", status=400) from None
    error, code = request.GET.get("error"), request.GET.get("code")
    if error or not code:
        failure = ConnectionFailed("denied" if error == "access_denied" else "no_code")
        IntegrationEvent.record(
            request.user.tenant, failed_kind, actor=request.user, reason=failure.reason, zoom_error=(error or "")[:64]
        )
        raise failure
    return pending, code
