"""The tenancy core: a hiring company and the people who sign in for it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herp.timezones import DEFAULT_TIMEZONE


class Language(models.TextChoices):
    """The languages of the product and its e-mails. Each is named in itself, as language pickers do."""

    JA = "ja", "日本語"
    EN = "en", "English"


DEFAULT_LANGUAGE = Language.JA


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # How long a guest may sit in an interview's meeting alone, after its start, before the host is
    # called in (a waiting room calls at once). Seconds, so tests can make it short.
    waiting_grace_seconds = models.PositiveIntegerField(
        _("grace before a waiting guest is reported (seconds)"), default=120
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NoCompany(Exception):
    """A staff user without a company reached code that works for a company's people only."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with an e-mail address. Belongs to one company, except staff, who get no product pages."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Can sign in to the support admin."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The person's own choice: pages and e-mails (background ones too) use it, the cookie only before
    # sign-in (docs/decisions.md).
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=DEFAULT_LANGUAGE)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False) | Q(is_staff=True),
                name="user_company_required_unless_staff",
                violation_error_message=_("Only staff users may have no company."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def tenant(self) -> Company:
        """The person's company. Product code reaches a user only behind the tenancy guards (or from a
        company's own rows), so a missing company here is a bug, not a state to handle."""
        if self.company is None:
            raise NoCompany(f"User {self.pk} belongs to no company.")
        return self.company

    @property
    def has_product_access(self) -> bool:
        """Product pages are for people of a company; staff without one use the admin only."""
        return self.is_active and self.company_id is not None

    @property
    def is_company_admin(self) -> bool:
        return self.has_product_access and self.role == self.Role.ADMIN


class Notification(models.Model):
    """One line in a person's bell: what happened, and the page where to act (DESIGN.md: the in-product
    notifications any app may post to). ``key`` makes a notice idempotent: the same key for the same
    person is posted once (``herp.notifications.notify``)."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(_("key"), max_length=120)
    level = models.CharField(_("level"), max_length=16, default="info")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, default="")
    url = models.CharField(_("link"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_user_key_unique")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class PasswordLinkQuerySet(models.QuerySet["PasswordLink"]):
    def open(self) -> PasswordLinkQuerySet:
        """Links that still work: not used, not revoked, not expired."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class PasswordLink(models.Model):
    """A link that lets a person set their password (``herp.members``): an invitation to join a company,
    for someone who has no account yet (the account is made when they set their password), or a
    set-password link for an account (the first admin's, or one an admin sent).

    The secret travels in the link only: the row keeps its SHA-256, so a copy of the database opens no
    account. A link works once, until ``expires_at``, and not after it was revoked — a newer link for
    the same person, the invitation withdrawn, or the person deactivated revoke it.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation to join")
        PASSWORD = "password", _("Set-password link")

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True, default="")
    role = models.CharField(_("role"), max_length=16, choices=User.Role.choices, default=User.Role.MEMBER)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=DEFAULT_LANGUAGE)
    # The account: set from the start for a set-password link, once accepted for an invitation.
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, null=True, blank=True, related_name="password_links"
    )
    invited_by = models.ForeignKey(
        User, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The mail server's refusal when the mail could not be sent (the members page offers to resend).
    send_error = models.CharField(_("sending failed"), max_length=300, blank=True, default="")

    objects = PasswordLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("password link")
        verbose_name_plural = _("password links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "kind", "email"], name="passwordlink_company_email")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.email}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return not (self.is_used or self.is_revoked or self.is_expired)
