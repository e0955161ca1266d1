"""The schedule form: candidate (existing or new), time in the chosen zone, participants, location."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from herp.models import DEFAULT_LANGUAGE, Company, Language, User
from herp.timebounds import in_zone, is_zone
from herp.timezones import COMMON_TIMEZONES, DEFAULT_TIMEZONE, timezone_choices
from scheduling import rules
from scheduling.models import Candidate, InterviewSchedule
from scheduling.selectors import HostChoice, as_id, host_select
from scheduling.services import ScheduleData

# The zones interviews are held in most often; a schedule saved with another zone keeps it.
TIMEZONES = COMMON_TIMEZONES
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_DURATION = rules.MAX_DURATION


class LocalDateTimeField(forms.CharField):
    """A ``datetime-local`` input: wall-clock time without a zone. The form reads it in the zone
    chosen beside it, not the server's or the browser's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        for fmt in LOCAL_FORMATS:
            try:
                # Deliberately naive: clean() attaches the zone chosen on the form.
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(_("Enter a date and time, for example 2030-04-01 10:00."), code="invalid")


class ParticipantField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name

    def _check_values(self, value: Any) -> Any:
        # Counted before any query: a thousand ids are refused with the limit, not looked up.
        refusal = rules.participants_refusal(len({str(pk).strip() for pk in value}))
        if refusal:
            raise ValidationError(refusal, code="too_many")
        for pk in value:
            if as_id(pk) is None:
                # Not an id a database can hold (too big, or digits that are not 0-9): the database would
                # answer with an error instead of finding nothing.
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's own check, not in the stubs


# Up to this many people the form lists everyone; beyond it, only those chosen and those searched for
# (issue 16): a company of 10,000 gets a search box, not 10,000 checkboxes.
PICKER_LISTS_ALL_UP_TO = 50
PICKER_RESULTS = 20
# The candidate menu lists the most recently added candidates (and the one chosen); the others are
# found with the search beside it, so a company with 10,000 candidates gets a page of a normal size.
CANDIDATES_LISTED = 50


class ParticipantPicker(forms.CheckboxSelectMultiple):
    """Checkboxes for ``shown`` people only (set by the form), with a search box: typing searches as
    you type (static/js/participant-picker.js); without JavaScript the "Search" button sends the form
    back to be shown again with the matches, nothing saved. The field still accepts any active person
    of the company, whoever is shown."""

    template_name = "scheduling/widgets/participant_picker.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: list[User] = []
        self.search = ""
        self.searching = False

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        chosen = {str(item) for item in value}
        return [
            (
                None,
                [self.create_option(name, str(user.pk), user.display_name, str(user.pk) in chosen, index, attrs=attrs)],
                index,
            )
            for index, user in enumerate(self.shown)
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(search=self.search, searching=self.searching, result_limit=PICKER_RESULTS)
        return context


class CandidateSelect(forms.Select):
    """Each candidate's language and time zone ride on their option, so that choosing a candidate
    shows theirs (static/js/candidate-preferences.js) instead of overwriting them with the defaults."""

    def create_option(  # type: ignore[override]  # the stubs narrow the signature Django calls
        self, name: str, value: Any, label: Any, selected: Any, index: int, **kwargs: Any
    ) -> Any:
        option = super().create_option(name, value, label, selected, index, **kwargs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Candidate):
            option["attrs"]["data-language"] = instance.language
            option["attrs"]["data-timezone"] = instance.timezone
        return option


class ScheduleForm(forms.Form):
    candidate = forms.ModelChoiceField(
        label=_("Candidate"),
        queryset=Candidate.objects.none(),
        required=False,
        empty_label=_("— new candidate —"),
        widget=CandidateSelect,
    )
    new_candidate_name = forms.CharField(label=_("New candidate's name"), max_length=150, required=False)
    new_candidate_email = forms.EmailField(label=_("New candidate's e-mail address"), required=False)
    # Not required: a form posted without them leaves an existing candidate's as they are.
    candidate_language = forms.ChoiceField(
        label=_("Language of the candidate's e-mails"),
        choices=Language.choices,
        initial=DEFAULT_LANGUAGE,
        required=False,
    )
    candidate_timezone = forms.ChoiceField(label=_("Candidate's time zone"), required=False, initial="")
    # Ticked to turn the mail off, so that leaving it alone (or a form without it) keeps the default on.
    candidate_mail_off = forms.BooleanField(
        label=_("Do not e-mail the candidate (you write to them yourself)"), required=False, initial=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = LocalDateTimeField(label=_("Start"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=rules.MIN_DURATION, max_value=MAX_DURATION, initial=60
    )
    timezone = forms.ChoiceField(label=_("Time zone"), initial=DEFAULT_TIMEZONE)
    participants = ParticipantField(label=_("Participants"), queryset=User.objects.none(), widget=ParticipantPicker)
    location = forms.ChoiceField(
        label=_("Location"), choices=InterviewSchedule.Location.choices, initial=InterviewSchedule.Location.ZOOM
    )

    def __init__(
        self,
        *args: Any,
        company: Company,
        instance: InterviewSchedule | None = None,
        people_search: str | None = None,
        candidate_search: str | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(instance)
        super().__init__(*args, **kwargs)
        self.company = company
        self.instance = instance
        self.host_choice: HostChoice | None = None
        candidates = Candidate.objects.filter(company=company).order_by("name", "pk")
        cast("forms.ModelChoiceField[Candidate]", self.fields["candidate"]).queryset = candidates
        self._show_candidates(candidates, candidate_search)
        people = User.objects.filter(company=company, is_active=True)
        if instance is not None:
            # Someone who left the company stays listed on their old schedules.
            people = people | User.objects.filter(pk__in=instance.participants.values("pk"))
        people = people.distinct().order_by("name", "email")
        cast(ParticipantField, self.fields["participants"]).queryset = people
        self._show_people(people, people_search)
        zones = list(TIMEZONES)
        if instance is not None and instance.timezone not in zones and is_zone(instance.timezone):
            zones.append(instance.timezone)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = [(zone, zone) for zone in zones]
        # Every candidate's own zone is a choice, so that choosing one keeps theirs.
        candidate_zones = {zone for zone in candidates.order_by().values_list("timezone", flat=True).distinct() if zone}
        cast(forms.ChoiceField, self.fields["candidate_timezone"]).choices = (
            [("", _("Same as the interview"))]
            + timezone_choices()
            + [(zone, zone) for zone in sorted(candidate_zones - set(COMMON_TIMEZONES))]
        )

    def _show_candidates(self, candidates: QuerySet[Candidate], search: str | None) -> None:
        """The menu's options: every candidate of a small company; otherwise the one chosen, the matches
        of the search, and the most recently added. Any candidate of the company is still accepted."""
        field = cast("forms.ModelChoiceField[Candidate]", self.fields["candidate"])
        self.candidate_search = (search or "").strip()[:100].replace("\x00", "")
        self.candidates_searched = search is not None
        self.candidates_listed = CANDIDATES_LISTED
        self.candidates_limited = candidates.count() > CANDIDATES_LISTED
        if not self.candidates_limited:
            return
        chosen = as_id(self["candidate"].value())
        shown = Q(pk__in=candidates.order_by("-pk").values("pk")[:CANDIDATES_LISTED])
        if self.candidate_search:
            found = candidates.filter(
                Q(name__icontains=self.candidate_search) | Q(email__icontains=self.candidate_search)
            )
            shown = Q(pk__in=found.values("pk")[:PICKER_RESULTS])
        if chosen is not None:
            shown |= Q(pk=chosen)
        listed = forms.ModelChoiceField(queryset=candidates.filter(shown), empty_label=field.empty_label)
        field.widget.choices = listed.choices

    def _show_people(self, people: QuerySet[User], search: str | None) -> None:
        """Who gets a checkbox: everyone in a small company; otherwise those chosen so far and the
        matches of the search (at most PICKER_RESULTS)."""
        picker = cast(ParticipantPicker, self.fields["participants"].widget)
        picker.search = (search or "").strip()[:100]
        picker.searching = search is not None
        chosen = [pk for pk in self._chosen_ids() if as_id(pk) is not None]
        if people.count() <= PICKER_LISTS_ALL_UP_TO:
            picker.shown = list(people)
            return
        shown = list(people.filter(pk__in=chosen))
        if picker.search:
            matches = people.filter(Q(name__icontains=picker.search) | Q(email__icontains=picker.search))
            shown += [user for user in matches.exclude(pk__in=chosen)[:PICKER_RESULTS]]
        picker.shown = shown

    def _chosen_ids(self) -> list[str]:
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            raw = getlist("participants") if getlist else self.data.get("participants") or []
            return [str(pk) for pk in (raw if isinstance(raw, list | tuple) else [raw])][: rules.MAX_PARTICIPANTS + 1]
        return [str(getattr(pk, "pk", pk)) for pk in self.initial.get("participants") or []]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        candidate = cleaned.get("candidate")
        new_name = (cleaned.get("new_candidate_name") or "").strip()
        if candidate is None and not new_name:
            self.add_error("candidate", _("Choose a candidate, or type the name of a new one."))
        elif candidate is not None and (new_name or cleaned.get("new_candidate_email")):
            self.add_error("new_candidate_name", _("Choose an existing candidate or type a new one, not both."))
        local, zone = cleaned.get("starts_at"), cleaned.get("timezone")
        if isinstance(local, datetime) and zone:
            cleaned["starts_at"] = local.replace(tzinfo=ZoneInfo(zone))
            self._check_time(cleaned)
        participants = cleaned.get("participants")
        if participants is not None:
            self.host_choice = host_select(company=self.company, participant_ids=[user.pk for user in participants])
            if cleaned.get("location") == InterviewSchedule.Location.ZOOM and not self.host_choice.available:
                lost = self.host_choice.installer_lost
                message: str
                if lost is not None:
                    message = gettext(
                        "Nobody can host this Zoom interview: no participant has linked Zoom, and %(name)s, who "
                        "connected your company's Zoom, can no longer host because their Zoom authorization has "
                        "ended. Ask an admin to reconnect Zoom in External service integration, ask a participant "
                        "to link Zoom in External service accounts, or choose another location."
                    ) % {"name": lost.display_name}
                else:
                    message = gettext(
                        "Nobody can host this Zoom interview: no participant has linked Zoom, and your company's "
                        "Zoom connection is not connected. Ask a participant to link Zoom in External service "
                        "accounts, or choose another location."
                    )
                self.add_error("participants", message)
        return cleaned

    def _check_time(self, cleaned: dict[str, Any]) -> None:
        duration, location = cleaned.get("duration_minutes"), cleaned.get("location")
        if duration is None or location is None:
            return  # their own errors are shown; the time is checked once they are right
        current = None
        if self.instance is not None:
            current = rules.Current(
                starts_at=self.instance.starts_at,
                duration_minutes=self.instance.duration_minutes,
                location=self.instance.location,
            )
        refusal = rules.time_refusal(
            starts_at=cleaned["starts_at"], duration_minutes=duration, location=location, current=current
        )
        if refusal:
            self.add_error("starts_at", refusal)

    def schedule_data(self) -> ScheduleData:
        data = self.cleaned_data
        return ScheduleData(
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            timezone=data["timezone"],
            location=data["location"],
            participants=list(data["participants"]),
            candidate=data.get("candidate"),
            new_candidate_name=data.get("new_candidate_name") or "",
            new_candidate_email=data.get("new_candidate_email") or "",
            candidate_language=data.get("candidate_language") or None,
            candidate_timezone=(data.get("candidate_timezone") or "") if "candidate_timezone" in self.data else None,
            candidate_mail_enabled=not data.get("candidate_mail_off"),
        )


def initial_for(schedule: InterviewSchedule) -> dict[str, Any]:
    local = in_zone(schedule.starts_at, schedule.timezone)  # a stored row may hold any zone or year
    return {
        "candidate": schedule.candidate_id,
        "title": schedule.title,
        "starts_at": local.strftime(LOCAL_FORMAT),
        "duration_minutes": schedule.duration_minutes,
        "timezone": schedule.timezone,
        "participants": list(schedule.participants.values_list("pk", flat=True)),
        "location": schedule.location,
        "candidate_language": schedule.candidate.language,
        "candidate_timezone": schedule.candidate.timezone,
        "candidate_mail_off": not schedule.candidate_mail_enabled,
    }
