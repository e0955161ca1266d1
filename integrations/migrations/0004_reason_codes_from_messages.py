"""Gives existing grants and installations their reason code once, from the English messages the card
used to search (issue 10). Anything unmatched becomes ``other`` and keeps its stored text."""

from django.db import migrations

# The fragments the settings card matched before reason codes existed, in the order it tried them.
FRAGMENTS = (
    ("app_deauthorized", "app_removed"),
    ("no longer in the company", "left_account"),
    ("invalid_grant", "refresh_refused"),
    ("Invalid Token", "refresh_refused"),
    ("(401)", "tokens_refused"),
    ("decrypted", "token_unreadable"),
)
EVENT_REASONS = {"app_deauthorized": "app_removed", "unused": "unused"}


def reason_for(text):
    for fragment, code in FRAGMENTS:
        if fragment in (text or ""):
            return code
    return "other"


def forwards(apps, schema_editor):
    ZoomGrant = apps.get_model("integrations", "ZoomGrant")
    ZoomInstallation = apps.get_model("integrations", "ZoomInstallation")
    IntegrationEvent = apps.get_model("integrations", "IntegrationEvent")

    for grant in ZoomGrant.objects.exclude(status="active").filter(reason=""):
        text = grant.last_error
        if grant.status == "revoked":
            event = (
                IntegrationEvent.objects.filter(kind="grant_revoked", details__grant_id=grant.pk)
                .order_by("-created_at", "-id")
                .first()
            )
            recorded = str((event.details or {}).get("reason", "")) if event else ""
            if recorded in EVENT_REASONS:
                grant.reason = EVENT_REASONS[recorded]
                grant.save(update_fields=["reason"])
                continue
            text = recorded or text
        grant.reason = reason_for(text)
        grant.save(update_fields=["reason"])

    for installation in ZoomInstallation.objects.filter(status__in=["needs_reconnect", "revoked"], reason=""):
        event = (
            IntegrationEvent.objects.filter(
                company_id=installation.company_id, kind__in=["needs_reconnect", "revoked"]
            )
            .order_by("-created_at", "-id")
            .first()
        )
        text = str((event.details or {}).get("reason", "") if event else "") or installation.last_error
        installation.reason = reason_for(text)
        installation.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("integrations", "0003_zoomgrant_reason_zoominstallation_reason")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
