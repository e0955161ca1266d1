"""Company scoping: the one way views read company data.

Every product view gets its rows through ``scoped`` or ``get_scoped_or_404``, so that a person of
company B asking for company A's ids gets a 404 that does not even reveal the row exists
(RELIABILITY T25). Views are guarded with ``company_member_required`` or ``company_admin_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from herp.models import Company, User

M = TypeVar("M", bound=models.Model)
View = Callable[..., HttpResponse]


class MemberRequest(HttpRequest):
    """The request of a view behind ``company_member_required`` or ``company_admin_required``: the guard
    has checked that its user is an active person of a company (``user.tenant`` is that company)."""

    user: User


def scoped(source: type[M] | models.QuerySet[M], company: Company | None) -> models.QuerySet[M]:
    """Rows of ``source`` that belong to ``company`` (none at all without a company)."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    if company is None:
        return queryset.none()
    return queryset.filter(company=company)


def get_scoped_or_404(source: type[M] | models.QuerySet[M], company: Company | None, **lookup: Any) -> M:
    try:
        return scoped(source, company).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        # ValueError/TypeError: an id of the wrong shape is as unknown as a foreign one.
        raise Http404 from exc


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


def _guard(check: Callable[[User], str | None]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            user = request.user
            assert isinstance(user, User)  # authenticated: our user model
            refusal = check(user)
            if refusal is not None:
                return forbidden(request, refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _member_refusal(user: User) -> str | None:
    if not user.has_product_access:
        return _("This account belongs to no company, so it has no product pages. Support staff use the admin.")
    return None


def _admin_refusal(user: User) -> str | None:
    return _member_refusal(user) or (
        None if user.is_company_admin else _("Only company admins can open this page. Ask an admin of your company.")
    )


company_member_required = _guard(_member_refusal)
company_admin_required = _guard(_admin_refusal)
