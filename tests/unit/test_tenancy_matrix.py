"""RELIABILITY T25: every URL of the project, requested by a person of company B with company A's ids.

Each route must be listed in ROUTES with how it is tried; a new route that is not listed fails the
suite. The expected answer for a route that takes another company's ids is 404 (no existence leak) or
403; whatever the answer, company A's rows must not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from herp.models import Company, User
from herp.support import PRODUCT_APPS
from tests.helpers import in_days

# Zoom's pages (the emulator) and Django's admin are not company pages: the admin is for staff, whose
# access is tested in the admin's own tests.
EXEMPT_NAMESPACES = ("admin", "zoom_emulator")


@dataclass(frozen=True)
class Route:
    # Builds the request from company A's world: returns (path, data).
    build: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
    method: str = "get"
    allowed: frozenset[int] = field(default_factory=lambda: frozenset({404, 403}))


def static(path: str, *, method: str = "get", allowed: set[int], data: dict[str, Any] | None = None) -> Route:
    return Route(build=lambda world: (path, data or {}), method=method, allowed=frozenset(allowed))


def schedule_of_a(world: dict[str, Any]) -> Any:
    """A schedule of company A (created before the snapshot), with member A as participant."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Candidate, InterviewSchedule

    if "schedule_a" not in world:
        candidate = Candidate.objects.create(company=world["company_a"], name="Candidate of A", email="cand@a.example")
        schedule = InterviewSchedule.objects.create(
            company=world["company_a"],
            candidate=candidate,
            title="Interview of A",
            starts_at=timezone.now() + timedelta(days=1),
            location=InterviewSchedule.Location.ONSITE,
        )
        schedule.participants.set([world["member_a"]])
        world["schedule_a"] = schedule
    return world["schedule_a"]


def notification_of_a(world: dict[str, Any]) -> Any:
    """A line in member A's bell."""
    from herp.models import Notification

    if "notification_a" not in world:
        world["notification_a"] = Notification.objects.create(
            company=world["company_a"], user=world["member_a"], key="matrix", title="For A", url="/schedules/"
        )
    return world["notification_a"]


def invitation_of_a(world: dict[str, Any]) -> Any:
    """An invitation company A's admin sent."""
    from datetime import timedelta

    from django.utils import timezone

    from herp.models import PasswordLink

    if "invitation_a" not in world:
        world["invitation_a"] = PasswordLink.objects.create(
            company=world["company_a"],
            kind=PasswordLink.Kind.INVITATION,
            email="invited@a.example",
            invited_by=world["admin_a"],
            token_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=7),
        )
    return world["invitation_a"]


def on_member_of_a(suffix: str, data: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Route:
    return Route(
        build=lambda world: (f"/settings/members/{world['member_a'].pk}/{suffix}", data(world) if data else {}),
        method="post",
    )


def on_invitation_of_a(suffix: str) -> Route:
    return Route(
        build=lambda world: (f"/settings/members/invitations/{invitation_of_a(world).pk}/{suffix}", {}), method="post"
    )


def on_schedule_of_a(suffix: str, *, method: str = "get") -> Route:
    return Route(build=lambda world: (f"/schedules/{schedule_of_a(world).pk}/{suffix}", {}), method=method)


ROUTES: dict[str, Route] = {
    # Pages without ids show the requester's own company only.
    "home": static("/", allowed={200}),
    "login": static("/login/", allowed={302}),
    "logout": static("/logout/", method="post", allowed={302}),
    "healthz": static("/healthz", allowed={200}),
    "set_language": static("/i18n/setlang/", method="post", allowed={302}, data={"language": "en"}),
    # The bell: a person's own lines only; another's line answers 404.
    "notifications": static("/notifications/", allowed={200}),
    "notification_read": Route(
        build=lambda world: (f"/notifications/{notification_of_a(world).pk}/read/", {"go": "1"}), method="post"
    ),
    "notifications_read_all": static("/notifications/read-all/", method="post", allowed={302}),
    "preferences": static("/account/preferences/", allowed={200}),
    # 全体設定 › メンバー (issue 13): the requester's own company's people; company A's ids answer 404.
    "members:list": static("/settings/members/", allowed={200}),
    # Inviting company A's member from company B answers as any invitation and never touches them.
    "members:invite": Route(
        build=lambda world: (
            "/settings/members/invite/",
            {"email": world["member_a"].email, "role": "admin", "language": "ja"},
        ),
        method="post",
        allowed=frozenset({302}),
    ),
    "members:role": on_member_of_a("role/", lambda world: {f"m{world['member_a'].pk}-role": "admin"}),
    "members:deactivate": on_member_of_a("deactivate/"),
    "members:reactivate": on_member_of_a("reactivate/"),
    "members:password_link": on_member_of_a("password-link/"),
    "members:invitation_resend": on_invitation_of_a("resend/"),
    "members:invitation_revoke": on_invitation_of_a("revoke/"),
    # The page a link opens: without a link of one's own, nothing.
    "set_password": static("/password/set/", allowed={400}),
    # 外部サービス連携: every page acts on the requester's own company's installation only.
    "integrations:settings": static("/settings/integrations/", allowed={200}),
    "integrations:connect": static("/settings/integrations/zoom/connect/", method="post", allowed={302}),
    "integrations:pre_approval_requested": static(
        "/settings/integrations/zoom/pre-approval-requested/", method="post", allowed={302}
    ),
    "integrations:disconnect": static("/settings/integrations/zoom/disconnect/", method="post", allowed={302}),
    # Company A's state in company B's browser (T02).
    "integrations:callback": Route(
        build=lambda world: ("/integrations/zoom/callback/", {"state": world["state_a"], "code": "code-of-a"}),
        allowed=frozenset({400}),
    ),
    # 外部サービスアカウント: always the requester's own link.
    "zoom:help": static("/help/zoom/", allowed={200}),
    "zoom:account": static("/accounts/zoom/", allowed={200}),
    "zoom:link": static("/accounts/zoom/link/", method="post", allowed={400, 302}),
    "zoom:unlink": static("/accounts/zoom/unlink/", method="post", allowed={302}),
    "zoom:link_callback": Route(
        build=lambda world: ("/accounts/zoom/callback/", {"state": world["state_a"], "code": "code-of-a"}),
        allowed=frozenset({400}),
    ),
    "zoom:members": static("/settings/integrations/zoom/members/", allowed={200}),
    # Zoom's webhook: unsigned requests from anyone are refused before anything else.
    "zoom:webhook": static("/webhooks/zoom/", method="post", allowed={401}),
    "zoom:remind": static("/settings/integrations/zoom/members/remind/", method="post", allowed={302}),
    # 選考予定: lists and forms show the requester's company only; company A's ids answer 404.
    "scheduling:list": static("/schedules/", allowed={200}),
    "scheduling:new": Route(
        build=lambda world: (
            "/schedules/new/",
            {
                "new_candidate_name": "Injected",
                "title": "Injected",
                # A time the form accepts, so only the foreign candidate and people make it refuse.
                "starts_at": in_days(7).strftime("%Y-%m-%dT%H:%M"),
                "timezone": "Asia/Tokyo",
                "duration_minutes": "60",
                "location": "onsite",
                "participants": [str(world["member_a"].pk)],
                "candidate": str(schedule_of_a(world).candidate_id),
            },
        ),
        method="post",
        allowed=frozenset({200}),  # the form again: A's candidate and people are not choices for B
    ),
    "scheduling:host_preview": Route(
        build=lambda world: ("/schedules/host-preview/", {"participants": [str(world["member_a"].pk)]}),
        allowed=frozenset({200}),
    ),
    "scheduling:detail": on_schedule_of_a(""),
    # The company's attendance report (admins): the requester's own company only.
    "scheduling:attendance": static("/schedules/attendance/", allowed={200, 403}),
    # The participant picker's search: the requester's own company's people only.
    "scheduling:people_search": static("/schedules/people/", allowed={200}, data={"q": "A"}),
    # The writes are tried (a GET of these pages reads the same row through the same lookup).
    "scheduling:edit": on_schedule_of_a("edit/", method="post"),
    "scheduling:cancel": on_schedule_of_a("cancel/", method="post"),
    "scheduling:retry": on_schedule_of_a("retry/", method="post"),
    "scheduling:start": on_schedule_of_a("start/", method="post"),
    # "Guests see 'waiting for host'?": the checklist and "Fix what we can" (issue 7).
    "scheduling:troubleshoot": on_schedule_of_a("troubleshoot/"),
    "scheduling:troubleshoot_fix": on_schedule_of_a("troubleshoot/fix/", method="post"),
    # Invitations (issue 12): 「再送」 on A's schedule is a 404; the template pages are B's own company's.
    "scheduling:invitation_resend": Route(
        build=lambda world: (
            f"/schedules/{schedule_of_a(world).pk}/invitations/resend/",
            {"recipient": f"user:{world['member_a'].pk}"},
        ),
        method="post",
    ),
    "scheduling:candidate_messages": static("/settings/candidate-messages/", allowed={200}),
    "scheduling:candidate_messages_preview": static(
        "/settings/candidate-messages/preview/", method="post", allowed={200}, data={"subject": "x", "body": "y"}
    ),
}


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(_walk(pattern.url_patterns, inner))
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or '<unnamed ' + str(pattern.pattern) + '>'}")
    return names


def project_routes() -> list[str]:
    return sorted(
        {
            name
            for name in _walk(get_resolver().url_patterns)
            if not name.startswith(tuple(f"{ns}:" for ns in EXEMPT_NAMESPACES))
        }
    )


def test_T25_every_route_is_listed_in_the_tenancy_matrix():
    unlisted = [name for name in project_routes() if name not in ROUTES]
    assert unlisted == [], "add these routes to ROUTES in tests/unit/test_tenancy_matrix.py"
    stale = [name for name in ROUTES if name not in project_routes()]
    assert stale == []


def company_rows(company: Company) -> str:
    """Every row of the product's models that belongs to the company, serialised, to compare before and after."""
    dumps = []
    for label in PRODUCT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model is Company:
                queryset = model.objects.filter(pk=company.pk)
            elif any(f.name == "company" for f in model._meta.get_fields()):
                queryset = model.objects.filter(company=company)
            else:
                continue
            dumps.append(serializers.serialize("json", queryset.order_by("pk")))
    return "\n".join(dumps)


@pytest.fixture
def world(user_factory, company_factory, client_for) -> dict[str, Any]:
    company_a = company_factory(name="Company A")
    admin_a = user_factory(company=company_a, role=User.Role.ADMIN)
    connect = client_for(admin_a).post("/settings/integrations/zoom/connect/")
    return {
        "company_a": company_a,
        "admin_a": admin_a,
        "member_a": user_factory(company=company_a),
        "admin_b": user_factory(role=User.Role.ADMIN),
        "state_a": parse_qs(urlsplit(connect.url).query)["state"][0],
    }


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_T25_another_companys_person_gets_nothing_and_changes_nothing(name, world, client_for):
    route = ROUTES[name]
    path, data = route.build(world)
    before = company_rows(world["company_a"])

    response = getattr(client_for(world["admin_b"]), route.method)(path, data)

    assert response.status_code in route.allowed
    body = response.content.decode(errors="replace")
    for leak in (world["company_a"].name, world["admin_a"].email, world["member_a"].email):
        assert leak not in body
    assert company_rows(world["company_a"]) == before


def test_T25_company_people_get_nothing_from_the_support_admin(world, client_for):
    """The admin is for support staff only: a company admin of company B, asking for any product model's
    admin page with company A's ids, is sent to the admin's login and changes nothing."""
    from django.contrib import admin as django_admin

    before = company_rows(world["company_a"])
    client = client_for(world["admin_b"])
    targets = {"herp.company": world["company_a"].pk, "herp.user": world["member_a"].pk}
    for model in django_admin.site._registry:
        label = model._meta.label_lower
        if model._meta.app_label not in PRODUCT_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        object_id = targets.get(label, 1)
        paths = [
            reverse(f"admin:{info[0]}_{info[1]}_changelist"),
            reverse(f"admin:{info[0]}_{info[1]}_add"),
            reverse(f"admin:{info[0]}_{info[1]}_change", args=[object_id]),
            reverse(f"admin:{info[0]}_{info[1]}_delete", args=[object_id]),
            reverse(f"admin:{info[0]}_{info[1]}_history", args=[object_id]),
        ]
        if label == "zoom.zoommeeting":
            paths.append(f"/admin/zoom/zoommeeting/{object_id}/troubleshoot/")
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                assert response.status_code == 302, (method, path)
                assert response.url.startswith("/admin/login/"), (method, path)
    assert company_rows(world["company_a"]) == before
