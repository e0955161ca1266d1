"""Seeds the demo company, its people and (through the emulator's own command) the emulated Zoom.

Idempotent: running it twice leaves the same state. ``--reset`` wipes the local database and the
emulator's and seeds again, so a walkthrough can be repeated from the start. Development only: it
refuses to run unless the emulator is enabled (which itself requires DEBUG).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from herp.models import Company, User
from herp.support import SUPPORT_GROUP

DEMO_COMPANY = "株式会社デモ"
DEMO_PASSWORD = "herp-demo"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str
    note: str


DEMO_PEOPLE = (
    DemoPerson("admin@demo.example", "山田 花子", User.Role.ADMIN, "company admin; connects Zoom"),
    DemoPerson("recruiter1@demo.example", "佐藤 一郎", User.Role.MEMBER, "has a Zoom user in the company's account"),
    DemoPerson("recruiter2@demo.example", "鈴木 二郎", User.Role.MEMBER, "has a Zoom user in the company's account"),
    DemoPerson("recruiter3@demo.example", "高橋 三郎", User.Role.MEMBER, "only a personal Zoom account"),
)
DEMO_SUPPORT = DemoPerson("support@demo.example", "サポート担当", "", "support staff; view-only admin")


class Command(BaseCommand):
    help = "Seed the demo company and the emulated Zoom (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Wipe the local database and the emulator first.")

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        if not settings.ZOOM_EMULATOR_ENABLED:
            raise CommandError("seed_demo is for development: run it with DEBUG=1 ZOOM_EMULATOR=1.")
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        self._seed_people()
        call_command("seed_emulator", reset=reset, verbosity=0)
        self._print_logins()

    @transaction.atomic
    def _seed_people(self) -> None:
        company, _created = Company.objects.get_or_create(name=DEMO_COMPANY)
        for person in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                email=person.email, defaults={"company": company, "name": person.name, "role": person.role}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        support, created = User.objects.get_or_create(
            email=DEMO_SUPPORT.email, defaults={"name": DEMO_SUPPORT.name, "is_staff": True}
        )
        if created:
            support.set_password(DEMO_PASSWORD)
            support.save(update_fields=["password"])
        support.groups.add(Group.objects.get(name=SUPPORT_GROUP))

    def _print_logins(self) -> None:
        width = max(len(person.email) for person in (*DEMO_PEOPLE, DEMO_SUPPORT))
        self.stdout.write("")
        self.stdout.write(f"Demo logins at {settings.SITE_URL}/login/ (password for all: {DEMO_PASSWORD})")
        for person in (*DEMO_PEOPLE, DEMO_SUPPORT):
            self.stdout.write(f"  {person.email.ljust(width)}  {person.note}")
        self.stdout.write(f"Emulated Zoom (sign in as any Zoom user): {settings.SITE_URL}/zoom-emulator/")
        self.stdout.write("")
