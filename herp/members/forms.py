from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from herp.models import Language, User


class AddressField(forms.EmailField):
    """An e-mail address as an HR person types it: full-width characters from a Japanese input method
    (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ) are read as the ASCII they stand for, and case does not matter."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(unicodedata.normalize("NFKC", value) if isinstance(value, str) else value)
        return (text or "").strip().lower()


class InviteForm(forms.Form):
    email = AddressField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices, initial=User.Role.MEMBER)
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=Language.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)


class SetPasswordForm(forms.Form):
    """The page a link opens: the person's name (an invitation may have named them) and a password."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            # Judged against the person it is for: a password close to their address or name is refused.
            try:
                validate_password(first, User(email=self.email, name=cleaned.get("name", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
