"""Onboarding: creates a hiring company and its first admin, and hands over their set-password link.

python manage.py create_company "株式会社サンプル" admin@example.com --name "管理 花子"
python manage.py create_company "Sample Inc." admin@example.com --name "Hanako Kanri" --language en --send-email

The link is printed (or, with --send-email, e-mailed to the admin): it works once, for three days. The
admin opens it, sets a password, and connects Zoom from 全体設定 › 外部サービス連携; they invite the others
from 全体設定 › メンバー. ``password_link`` prints a new link if this one expires.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from herp.members import services
from herp.members.mails import expiry_text, link_send, link_url
from herp.models import Company, Language, User
from herp.timezones import DEFAULT_TIMEZONE, is_timezone


class Command(BaseCommand):
    help = "Create a company and its first admin, and print (or e-mail) the admin's set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("company", help="The company's name, as its people will see it.")
        parser.add_argument("email", help="The first admin's e-mail address (their sign-in).")
        parser.add_argument("--name", required=True, help="The first admin's name.")
        parser.add_argument("--language", default=Language.JA, choices=Language.values)
        parser.add_argument("--timezone", default=DEFAULT_TIMEZONE)
        parser.add_argument(
            "--send-email", action="store_true", help="E-mail the link to the admin instead of printing it."
        )
        parser.add_argument(
            "--allow-same-name", action="store_true", help="Create it even if a company of that name exists."
        )

    def handle(
        self,
        *args: Any,
        company: str,
        email: str,
        name: str,
        language: str,
        timezone: str,
        send_email: bool,
        allow_same_name: bool,
        **options: Any,
    ) -> None:
        company_name, name, email = company.strip(), name.strip(), services.normalize_email(email)
        if not company_name or not name:
            raise CommandError("The company's name and the admin's --name must not be empty.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid e-mail address.") from None
        if not is_timezone(timezone):
            raise CommandError(f"Unknown time zone {timezone!r} (use an IANA name such as Asia/Tokyo).")
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(
                f"An account with the address {email} already exists. For a new set-password link for it: "
                f"python manage.py password_link {email}"
            )
        same = Company.objects.filter(name=company_name).first()
        if same is not None and not allow_same_name:
            raise CommandError(
                f"A company named {company_name!r} already exists (id {same.pk}). Pass --allow-same-name to create "
                "another one."
            )
        with transaction.atomic():
            created = Company.objects.create(name=company_name)
            try:
                admin = User.objects.create_user(
                    email=email, company=created, role=User.Role.ADMIN, name=name, language=language, timezone=timezone
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            issued = services.password_link_issue(user=admin, by=None, send=False)
        self.stdout.write(f"Created the company {created.name} (id {created.pk}) and its admin {admin.email}.")
        hand_over(self, issued, send_email)


def hand_over(command: BaseCommand, issued: services.Issued, send: bool) -> None:
    """Prints the link, or (once its row is committed) mails it and says whether that worked."""
    link = issued.link
    until = expiry_text(link.expires_at, "en")
    if send:
        if not link_send(link_id=link.pk, token=issued.token):
            link.refresh_from_db(fields=["send_error"])
            raise CommandError(
                f"The e-mail to {link.email} could not be sent ({link.send_error}). Run "
                f"`python manage.py password_link {link.email}` to print a link instead."
            )
        command.stdout.write(f"E-mailed {link.email} a link to set their password (it works once, until {until}).")
        return
    command.stdout.write(f"Give {link.email} this link to set their password (it works once, until {until}):")
    command.stdout.write(link_url(issued.token))
