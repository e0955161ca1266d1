"""A small HTML-form browser over real HTTP, for journeys through the product and the emulator.

It does what a person's browser does with our pages: follows redirects (to Zoom's stand-in and back),
keeps cookies, and submits a page's forms by pressing their buttons, hidden inputs and CSRF tokens
included. No JavaScript: our pages work without it. Playwright journeys live in tests/e2e.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Button:
    text: str
    name: str | None
    value: str
    attrs: dict[str, str]


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._button: Button | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(action=values.get("action", ""), method=values.get("method", "get").lower(), attrs=values)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = values.get("type", "text").lower()
            if kind in ("submit", "button"):
                self._form.buttons.append(
                    Button(values.get("value", ""), values.get("name"), values.get("value", ""), values)
                )
            elif kind in ("checkbox", "radio"):
                if "checked" in values and values.get("name"):
                    self._form.fields.append((values["name"], values.get("value", "on")))
            elif values.get("name") and "disabled" not in values:
                self._form.fields.append((values["name"], values.get("value", "")))
        elif tag == "button":
            self._button = Button("", values.get("name"), values.get("value", ""), values)
        elif tag == "textarea" and values.get("name"):
            self._textarea = (values["name"], [])

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.text += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._form is not None:
            self._button.text = " ".join(self._button.text.split())
            if self._button.attrs.get("type", "submit") == "submit":
                self._form.buttons.append(self._button)
            self._button = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "form":
            self._form = None


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.session = requests.Session()
        self.response: requests.Response | None = None

    @property
    def url(self) -> str:
        assert self.response is not None
        return self.response.url

    @property
    def html(self) -> str:
        assert self.response is not None
        return self.response.text

    @property
    def status(self) -> int:
        assert self.response is not None
        return self.response.status_code

    def get(self, path: str) -> Browser:
        self.response = self.session.get(urljoin(self.base_url, path), timeout=15)
        return self

    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.html)
        return parser.forms

    def press(
        self, text: str | None = None, *, button_id: str | None = None, data: dict[str, str] | None = None
    ) -> Browser:
        """Submits the form holding the button whose text or aria-label contains ``text`` (or whose id is
        ``button_id``)."""
        for form in self.forms():
            for button in form.buttons:
                label = f"{button.text} {button.attrs.get('aria-label', '')}"
                if (button_id is not None and button.attrs.get("id") == button_id) or (
                    text is not None and text in label
                ):
                    if "disabled" in button.attrs:
                        raise AssertionError(f"the button {text or button_id!r} is disabled on {self.url}")
                    return self._submit(form, button, data or {})
        labels = [button.text or button.attrs.get("id", "") for form in self.forms() for button in form.buttons]
        raise AssertionError(f"no button {text or button_id!r} on {self.url}; buttons: {labels}")

    def has_button(self, text: str) -> bool:
        return any(text in button.text for form in self.forms() for button in form.buttons)

    def _submit(self, form: Form, button: Button, data: dict[str, str]) -> Browser:
        fields = [(name, value) for name, value in form.fields if name not in data]
        fields += list(data.items())
        if button.name:
            fields.append((button.name, button.value))
        action = urljoin(self.url, form.action or self.url)
        if form.method == "post":
            self.response = self.session.post(action, data=fields, headers={"Referer": self.url}, timeout=15)
        else:
            self.response = self.session.get(action, params=fields, timeout=15)
        return self
