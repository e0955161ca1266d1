"""Creates a support-staff user: staff, no company, in the view-only ``support`` group.

python manage.py create_support_user support@example.com            # asks for the password
python manage.py create_support_user support@example.com --generate-password
"""

from __future__ import annotations

import getpass
import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from herp.models import User
from herp.support import SUPPORT_GROUP


class Command(BaseCommand):
    help = "Create a view-only support-staff user for the Django admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--generate-password", action="store_true", help="Generate a password and print it once instead of asking."
        )

    def handle(self, *args: Any, email: str, name: str, generate_password: bool, **options: Any) -> None:
        email = User.objects.normalize_email(email).lower()
        if User.objects.filter(email=email).exists():
            raise CommandError(f"A user with the e-mail address {email} already exists.")
        password = secrets.token_urlsafe(18) if generate_password else self._ask_password()
        try:
            group = Group.objects.get(name=SUPPORT_GROUP)
        except Group.DoesNotExist as exc:
            raise CommandError("The support group does not exist yet: run `manage.py migrate` first.") from exc
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name, is_staff=True)
            user.groups.add(group)
        self.stdout.write(f"Created support user {email} (view-only admin at /admin/).")
        if generate_password:
            self.stdout.write(f"Password: {password}")

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password
