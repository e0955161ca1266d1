"""The fake Zoom of the unit tier: its hosts, our app's credentials there, canned payloads, and a small
stand-in for the meeting endpoints.

Zoom's hosts are names that never resolve: with `responses` active an unmatched call raises
ConnectionError, and without it nothing can reach the internet. Canned payloads are JSON files under
tests/fixtures/zoom/, one per endpoint and case.

`FakeZoom`, on top of `responses`, plays the meeting endpoints for flow tests. It keeps meetings per access
token (the host), records every call with its bearer token and JSON body, and can be told to override
settings (an account lock), refuse passcodes or alternative hosts, drop an answer after acting, or fail the
next call of an endpoint. The emulator does the same over real HTTP in the integration tier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
import responses

OAUTH_BASE = "https://zoom.test"
API_BASE = "https://api.zoom.test/v2"
TOKEN_URL = f"{OAUTH_BASE}/oauth/token"
# The product's app as the fake Zoom knows it.
CLIENT_ID = "unitClientId"
CLIENT_SECRET = "unitClientSecret0123456789abcdef"
# The Zoom account the personas' company connects (tests/personas.py).
ACCOUNT_ID = "acct_sched_0000001"

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "zoom"


def zoom_fixture(name: str) -> dict[str, Any]:
    """A canned Zoom payload: tests/fixtures/zoom/<name>.json."""
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Call:
    method: str
    path: str
    token: str
    body: dict[str, Any] | None


@dataclass
class Fault:
    method: str
    path: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _utc(local: str | None, zone: str | None) -> str | None:
    if not local or local.endswith("Z"):
        return local
    moment = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone or "UTC"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeZoom:
    def __init__(self, rsps: responses.RequestsMock, base: str = API_BASE) -> None:
        self.base = base
        self.meetings: dict[int, dict[str, Any]] = {}
        self.owners: dict[int, str] = {}
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.forced_settings: dict[str, Any] = {}
        self.embed_passcode = True
        self.reject_passcodes = False
        self.reject_alternative_hosts = False
        self.drop_next_create_answer = False
        # After acting (the meeting made, changed or deleted), answer as told instead: a status, or
        # "reset" (the connection breaks), "timeout" (no answer in time), "garbage" (a body that does
        # not parse). One entry per call, by method: the lost answers of RELIABILITY T28.
        self.lost_answers: dict[str, list[int | str]] = {"POST": [], "PATCH": [], "DELETE": []}
        # The Zoom user id behind each access token (meetings' ``host_id``); "host-of-<token>" otherwise.
        self.host_ids: dict[str, str] = {}
        # ``GET /users/me/settings`` answers: defaults follow forced_settings and embed_passcode (a lock
        # shows in the user's settings too); these override single fields, e.g. {"waiting_room": True}.
        self.user_settings: dict[str, Any] = {}
        # Called after a meeting is made and before Zoom answers: a person acting meanwhile.
        self.on_create: Callable[[], None] | None = None
        # Called when a meeting is read, before Zoom answers: another event handled meanwhile.
        self.on_get: Callable[[], None] | None = None
        self._next_id = 85746065432
        meeting = re.compile(re.escape(base) + r"/meetings/(\d+)$")
        rsps.add_callback(responses.POST, f"{base}/users/me/meetings", callback=self._create)
        rsps.add_callback(responses.GET, re.compile(re.escape(base) + r"/users/me/meetings(\?.*)?$"), self._list)
        rsps.add_callback(responses.GET, meeting, callback=self._get)
        rsps.add_callback(responses.PATCH, meeting, callback=self._patch)
        rsps.add_callback(responses.DELETE, meeting, callback=self._delete)
        rsps.add_callback(responses.GET, f"{base}/users/me/settings", callback=self._settings)

    # Test helpers ---------------------------------------------------------------------------------

    def fail_next(self, method: str, path: str, status: int, body: dict[str, Any], **headers: str) -> None:
        self.faults.append(Fault(method, path, status, body, headers))

    def lose_next_answer(self, method: str, how: int | str) -> None:
        """The next ``method`` call acts at Zoom, then its answer is lost ``how`` (see ``lost_answers``)."""
        self.lost_answers[method].append(how)

    def live_with_marker(self, marker: str) -> list[int]:
        """Ids of the meetings whose agenda carries ``marker``: how many Zoom holds for one row."""
        return [meeting_id for meeting_id, m in self.meetings.items() if marker in (m.get("agenda") or "")]

    def _answer_lost(self, method: str, success: tuple[int, dict[str, str], str]) -> Any:
        if not self.lost_answers[method]:
            return success
        how = self.lost_answers[method].pop(0)
        if how == "reset":
            raise requests.ConnectionError("Connection reset by peer")
        if how == "timeout":
            raise requests.ReadTimeout("Zoom did not answer in time")
        if how == "garbage":
            return success[0], {}, "<html><body>Bad gateway</body></html>"
        return int(how), {}, json.dumps({"code": int(how), "message": "Internal Error"})

    def calls_to(self, method: str, path_prefix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def alive(self) -> dict[int, dict[str, Any]]:
        return dict(self.meetings)

    # Endpoints ------------------------------------------------------------------------------------

    def _record(self, request: requests.PreparedRequest) -> Call:
        body = json.loads(request.body) if request.body else None
        path = request.path_url.split("?")[0][len("/v2") :]
        call = Call(request.method or "", path, request.headers["Authorization"].removeprefix("Bearer "), body)
        self.calls.append(call)
        return call

    def _fault(self, call: Call) -> tuple[int, dict[str, str], str] | None:
        for fault in self.faults:
            if fault.method == call.method and call.path.startswith(fault.path):
                self.faults.remove(fault)
                if fault.status == 0:  # no answer at all
                    raise requests.ReadTimeout("Zoom did not answer in time")
                return fault.status, fault.headers, json.dumps(fault.body)
        return None

    def _create(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        body = call.body or {}
        settings = body.get("settings", {})
        if self.reject_passcodes and "password" in body:
            return 400, {}, json.dumps({"code": 300, "message": "Invalid password: does not meet the requirements."})
        if self.reject_alternative_hosts and settings.get("alternative_hosts"):
            return 400, {}, json.dumps({"code": 1115, "message": "Invalid alternative host: not in this account."})
        meeting_id = self._next_id
        self._next_id += 1
        password = body.get("password") or "Zm9Rg2Xk7Q"
        meeting = {
            "id": meeting_id,
            "uuid": f"uuid-{meeting_id}",
            "host_id": self.host_ids.get(call.token, f"host-of-{call.token}"),
            "host_email": f"{call.token}@zoom.example",
            "topic": body.get("topic", ""),
            "agenda": body.get("agenda", ""),
            "type": body.get("type", 2),
            "start_time": body.get("start_time"),
            "duration": body.get("duration"),
            "timezone": body.get("timezone"),
            "password": password,
            "settings": {**settings, **self.forced_settings},
        }
        self.meetings[meeting_id] = meeting
        self.owners[meeting_id] = call.token
        if self.on_create is not None:
            hook, self.on_create = self.on_create, None
            hook()
        if self.drop_next_create_answer:
            self.drop_next_create_answer = False
            raise requests.ConnectionError("the answer was lost")
        return self._answer_lost("POST", (201, {}, json.dumps(self._public(meeting))))

    def _public(self, meeting: dict[str, Any]) -> dict[str, Any]:
        pwd = f"?pwd=enc{meeting['password']}" if self.embed_passcode else ""
        return {
            **meeting,
            # Zoom answers in UTC ("yyyy-MM-ddTHH:mm:ssZ") whatever zone the request used.
            "start_time": _utc(meeting.get("start_time"), meeting.get("timezone")),
            "join_url": f"https://zoom.test/j/{meeting['id']}{pwd}",
            "start_url": f"https://zoom.test/s/{meeting['id']}?zak=secret-zak",
        }

    def _list(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        mine = [
            {key: m[key] for key in ("id", "uuid", "topic", "agenda", "start_time", "duration", "timezone")}
            for meeting_id, m in self.meetings.items()
            if self.owners[meeting_id] == call.token
        ]
        return (
            200,
            {},
            json.dumps({"page_size": 300, "total_records": len(mine), "next_page_token": "", "meetings": mine}),
        )

    def _owned(self, request: requests.PreparedRequest, call: Call) -> dict[str, Any] | None:
        meeting_id = int(call.path.rsplit("/", 1)[1])
        meeting = self.meetings.get(meeting_id)
        # Zoom answers 3001 for another host's meeting too, as far as this token can tell.
        if meeting is None or self.owners[meeting_id] != call.token:
            return None
        return meeting

    def _get(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        if self.on_get is not None:
            hook, self.on_get = self.on_get, None
            hook()
        meeting = self._owned(request, call)
        if meeting is None:
            return 404, {}, json.dumps({"code": 3001, "message": "Meeting does not exist."})
        return 200, {}, json.dumps(self._public(meeting))

    def _patch(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        meeting = self._owned(request, call)
        if meeting is None:
            return 404, {}, json.dumps({"code": 3001, "message": "Meeting does not exist."})
        body = call.body or {}
        if self.reject_alternative_hosts and body.get("settings", {}).get("alternative_hosts"):
            return 400, {}, json.dumps({"code": 1115, "message": "Invalid alternative host: not in this account."})
        for key in ("topic", "agenda", "start_time", "duration", "timezone"):
            if key in body:
                meeting[key] = body[key]
        meeting["settings"] = {**meeting["settings"], **body.get("settings", {}), **self.forced_settings}
        return self._answer_lost("PATCH", (204, {}, ""))

    def _delete(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        meeting = self._owned(request, call)
        if meeting is None:
            return 404, {}, json.dumps({"code": 3001, "message": "Meeting does not exist."})
        del self.meetings[meeting["id"]]
        return self._answer_lost("DELETE", (204, {}, ""))

    def _settings(self, request: requests.PreparedRequest) -> Any:
        call = self._record(request)
        if fault := self._fault(call):
            return fault
        values = {
            "waiting_room": self.forced_settings.get("waiting_room", False),
            "join_before_host": self.forced_settings.get("join_before_host", True),
            "embed_password_in_join_link": self.embed_passcode,
            "require_password_for_scheduling_new_meetings": True,
            **self.user_settings,
        }
        body = {
            "schedule_meeting": {
                "join_before_host": values["join_before_host"],
                "embed_password_in_join_link": values["embed_password_in_join_link"],
                "require_password_for_scheduling_new_meetings": values["require_password_for_scheduling_new_meetings"],
            },
            "in_meeting": {"waiting_room": values["waiting_room"]},
        }
        return 200, {}, json.dumps(body)
