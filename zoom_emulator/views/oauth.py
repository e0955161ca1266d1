"""zoom.us's OAuth pages and endpoints: authorize (with sign-in and consent), token and revoke.

Reference: https://developers.zoom.us/docs/integrations/oauth/ (NOTES.md section 1 has the facts).
"""

from __future__ import annotations

import time
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from zoom_emulator import accounts, browser, faults, oauth
from zoom_emulator.calllog import logged
from zoom_emulator.models import App, AuthorizationCode, User

# The authorize parameters a consent form carries from its GET to its POST.
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method")
RATE_LIMIT_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


@logged("oauth.authorize")
def authorize(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return _page_error(request, "This page only answers GET and POST.", status=405)
    params = request.GET if request.method != "POST" else _form(request)
    if params is None:
        return _page_error(request, "The form could not be read.", status=400)

    app = App.objects.filter(client_id=params.get("client_id", "")).first()
    redirect_uri = params.get("redirect_uri", "")
    if app is None or not app.allows_redirect(redirect_uri):
        # Zoom never redirects to an unregistered URI: it shows this error on its own page.
        return render(request, "zoom_emulator/invalid_redirect.html", status=400)

    state = params.get("state")
    if params.get("response_type") != "code":
        return _to_client(redirect_uri, {"error": "unsupported_response_type"}, state)
    challenge = params.get("code_challenge", "")
    method = params.get("code_challenge_method", "") or ("plain" if challenge else "")
    if challenge and method not in AuthorizationCode.Method.values:
        return _to_client(redirect_uri, {"error": "invalid_request"}, state)

    carried = {name: str(params[name]) for name in AUTHORIZE_PARAMS if name in params}
    here = f"{reverse('zoom_emulator:authorize')}?{urlencode(carried)}"
    user = browser.signed_in_user(request)
    if user is None:
        return HttpResponseRedirect(f"{reverse('zoom_emulator:signin')}?{urlencode({'next': here})}")

    outcome = oauth.consent_outcome(user, app)
    if request.method != "POST":
        return _screen(request, outcome, user=user, app=app, carried=carried)
    # The form was shown to another Zoom user (the browser signed in as someone else since): show the
    # current screen again rather than act on a stale decision.
    if params.get("user_id") != user.user_id:
        return HttpResponseRedirect(here)

    action = params.get("action")
    if action == "preapprove" and outcome is oauth.Outcome.PREAPPROVE:
        # 「事前承認をとる」 pre-approves for the whole account, then the same page asks for consent.
        accounts.preapprove(user.account, app, by=user)
        return _screen(request, oauth.Outcome.CONSENT, user=user, app=app, carried=carried)
    if action == "request" and outcome in (oauth.Outcome.REQUEST, oauth.Outcome.REQUESTED):
        # The member stays on Zoom's page: nothing goes back to the app while the request waits.
        accounts.request_preapproval(user, app, base_url=request.build_absolute_uri("/"))
        return _screen(request, oauth.Outcome.REQUESTED, user=user, app=app, carried=carried)
    # A decision made on another screen (pre-approval given or needed since the page was shown): show
    # the current one again rather than act on it.
    if outcome is not oauth.Outcome.CONSENT or action:
        return HttpResponseRedirect(here)

    decision = params.get("decision")
    if decision == "allow":
        code = oauth.issue_code(
            user=user,
            app=app,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            code_challenge_method=method,
        )
        return _to_client(redirect_uri, {"code": code}, state)
    if decision == "deny":
        return _to_client(redirect_uri, {"error": "access_denied"}, state)
    return _screen(request, outcome, user=user, app=app, carried=carried, status=400)


def _screen(
    request: HttpRequest,
    outcome: oauth.Outcome,
    *,
    user: User,
    app: App,
    carried: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    # One template per outcome; the member's two screens are one page with the button's two states.
    template = {
        oauth.Outcome.CONSENT: "zoom_emulator/consent.html",
        oauth.Outcome.PREAPPROVE: "zoom_emulator/preapprove.html",
        oauth.Outcome.REQUEST: "zoom_emulator/request_preapproval.html",
        oauth.Outcome.REQUESTED: "zoom_emulator/request_preapproval.html",
    }[outcome]
    return render(
        request,
        template,
        {
            "zoom_user": user,
            "app": app,
            "requested": outcome is oauth.Outcome.REQUESTED,
            "hidden": [*carried.items(), ("user_id", user.user_id)],
            "switch_user_url": f"{reverse('zoom_emulator:signin')}?"
            + urlencode({"next": f"{reverse('zoom_emulator:authorize')}?{urlencode(carried)}"}),
        },
        status=status,
    )


def _to_client(redirect_uri: str, params: dict[str, str], state: str | None) -> HttpResponse:
    if state is not None:
        params = {**params, "state": state}
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(params)}")


def _page_error(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "zoom_emulator/error.html", {"message": message}, status=status)


@csrf_exempt
@logged("oauth.token")
def token(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed()
    plan = faults.take(faults.TOKEN_ENDPOINT)
    if plan.delay_ms:
        time.sleep(plan.delay_ms / 1000)
    if plan.status_code is not None:
        return _fault_response(plan.status_code)
    try:
        app = oauth.authenticate_client(request.headers.get("Authorization"))
        params = _params(request)
        grant_type = params.get("grant_type", "")
        if grant_type == "authorization_code":
            tokens = oauth.exchange_code(
                app=app,
                code=params.get("code", ""),
                redirect_uri=params.get("redirect_uri", ""),
                code_verifier=params.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            tokens = oauth.refresh(app=app, refresh_token=params.get("refresh_token", ""))
        else:
            raise oauth.UNSUPPORTED_GRANT
    except oauth.TokenError as exc:
        return _token_error(exc)
    if tokens.dropped_status is not None:
        return _fault_response(tokens.dropped_status)
    return JsonResponse(
        {
            "access_token": tokens.access_token,
            "token_type": "bearer",
            "refresh_token": tokens.refresh_token,
            "expires_in": tokens.expires_in,
            "scope": " ".join(tokens.scopes),
            # Zoom answers "https://api.zoom.us", the origin clients add /v2 to; its stand-in is the mount.
            "api_url": request.build_absolute_uri(reverse("zoom_emulator:index")).rstrip("/"),
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@csrf_exempt
@logged("oauth.revoke")
def revoke(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed()
    try:
        app = oauth.authenticate_client(request.headers.get("Authorization"))
        oauth.revoke(app=app, token=_params(request).get("token", ""))
    except oauth.TokenError as exc:
        return _token_error(exc)
    return JsonResponse({"status": "success"})


def _params(request: HttpRequest) -> QueryDict:
    """Zoom reads the token endpoint's parameters from the query string or the form body."""
    merged = request.GET.copy()
    form = _form(request)
    if form is None:
        raise oauth.TokenError(400, "invalid_request", "The request body could not be read")
    for key in form:
        merged.setlist(key, form.getlist(key))
    return merged


def _form(request: HttpRequest) -> QueryDict | None:
    try:
        return request.POST
    except (MultiPartParserError, SuspiciousOperation, BadRequest, UnicodeError, ValueError):
        # A malformed or oversized body is the client's mistake: a 4xx, never a 500.
        return None


def _token_error(exc: oauth.TokenError) -> JsonResponse:
    return JsonResponse({"reason": exc.reason, "error": exc.error}, status=exc.status)


def _method_not_allowed() -> JsonResponse:
    return JsonResponse(
        {"reason": "Method not allowed", "error": "invalid_request"}, status=405, headers={"Allow": "POST"}
    )


def _fault_response(status: int) -> JsonResponse:
    if status == 429:
        return JsonResponse({"code": 429, "message": RATE_LIMIT_MESSAGE}, status=429)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Server Error"
    return JsonResponse({"reason": phrase, "error": "server_error"}, status=status)
