"""The candidate template's form (全体設定 › 候補者へのメッセージ)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.invitations import placeholders


class CandidateTemplateForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        # Above the limit, so that too long a text is refused with our message (validate), not by the field.
        max_length=placeholders.SUBJECT_MAX + 1000,
        strip=False,
    )
    body = forms.CharField(
        label=_("Body"),
        max_length=placeholders.BODY_MAX + 10000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        subject, body = cleaned.get("subject"), cleaned.get("body")
        if subject is not None and body is not None:
            try:
                placeholders.validate(subject, body.replace("\r\n", "\n"))
            except placeholders.TemplateError as exc:
                for message in exc.messages:
                    self.add_error(None, message)
            cleaned["body"] = body.replace("\r\n", "\n")
        return cleaned
