from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from herp.admin_base import ReadOnlyAdmin
from herp.admin_filters import CompanyFilter
from herp.members import services as members
from herp.models import Company, PasswordLink, User


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in the stubs
    list_display = ("id", "name", "created_at")
    search_fields = ("name",)


def _operator(request: HttpRequest) -> User | None:
    """The staff member acting: the admin site lets only a logged-in staff user this far."""
    return request.user if isinstance(request.user, User) else None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    """Operators may delete or deactivate people here; both go through herp.members, so a person leaving
    from the admin leaves exactly as one an admin deactivates (T39). Support staff only view."""

    ordering = ("id",)
    list_display = ("email", "name", "company", "role", "is_staff", "is_active")
    list_filter = ("role", "is_staff", "is_active", CompanyFilter)
    list_select_related = ("company",)
    search_fields = ("email", "name")
    raw_id_fields = ("company",)
    delete_confirmation_template = "admin/herp/user/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/herp/user/delete_selected_confirmation.html"
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "company", "role", "language", "timezone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "company", "role", "password1", "password2")}),)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        leaving = change and "is_active" in form.changed_data and obj.company_id is not None
        if not leaving:
            super().save_model(request, obj, form, change)
            return
        # The other fields first, then the change of state through the members' services.
        wanted = obj.is_active
        obj.is_active = not wanted
        super().save_model(request, obj, form, change)
        if wanted:
            members.member_reactivate(member=obj, by=_operator(request))
        else:
            members.member_deactivate(member=obj, by=_operator(request), keep_an_admin=False)
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        members.member_delete(member=obj, by=_operator(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for member in queryset.order_by("pk"):
            members.member_delete(member=member, by=_operator(request))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, set[str], Any]:
        # What goes with a person (their Zoom link's row, their links, their bell, their places in
        # interviews) is theirs: an operator who may delete the person needs no permission on each of
        # those models (the support admin shows them read-only). Protected rows would still be listed.
        to_delete, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, set(), protected


@admin.register(PasswordLink)
class PasswordLinkAdmin(ReadOnlyAdmin):
    """Invitations and set-password links, for support staff to see whether one was sent and used. The
    token's hash is not shown; nothing can be changed here."""

    list_display = ("id", "kind", "email", "company", "role", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("kind", CompanyFilter)
    list_select_related = ("company",)
    search_fields = ("email", "company__name")
    exclude = ("token_hash",)
    readonly_fields = (
        "company",
        "kind",
        "email",
        "name",
        "role",
        "language",
        "user",
        "invited_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
        "send_error",
    )
