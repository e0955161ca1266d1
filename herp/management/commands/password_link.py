"""A new set-password link for an account of a company (the first admin's expired, or every admin of a
company lost their password); earlier links of the account stop working.

python manage.py password_link admin@example.com               # prints the link
python manage.py password_link admin@example.com --send-email  # e-mails it
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from herp.management.commands.create_company import hand_over
from herp.members import services
from herp.models import User


class Command(BaseCommand):
    help = "Print (or e-mail) a new set-password link for an active account of a company."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--send-email", action="store_true", help="E-mail the link instead of printing it.")

    def handle(self, *args: Any, email: str, send_email: bool, **options: Any) -> None:
        user = User.objects.filter(email__iexact=services.normalize_email(email)).first()
        if user is None or user.company_id is None:
            raise CommandError(f"No account of a company has the address {email}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated: an admin of their company reactivates them first.")
        issued = services.password_link_issue(user=user, by=None, send=False)
        hand_over(self, issued, send_email)
