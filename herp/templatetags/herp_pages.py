"""``{% query_with param value %}``: the current query string with one parameter replaced, for
pagination links that keep the page's search and filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], param: str, value: Any) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query[param] = str(value)
    return query.urlencode()
