"""Forms of the cycle's pages. They read and shape the input; the rules are checked by `services`.

Each form's `service_data()` gives its cleaned input in the shape the service (and the API) takes:
organisations by code, areas by code, joint actions by paragraph, dates as ISO strings.
"""

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partnership.people.models import Organisation
from partnership.programme.models import Area, JointAction, Language

from .models import Contribution, Cycle, Meeting, Outcome, Priority

AGENDA_LINE = re.compile(r"^(?P<title>.*?)\s*(?:\[(?P<paragraphs>[\d,\s]*)\])?\s*$")


class ActionChoiceField(forms.ModelMultipleChoiceField):
    """Joint actions by paragraph, labelled with their number and title in the reader's language."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=JointAction.objects.only("id", "paragraph", "title_en", "title_ja").order_by(
                "paragraph"
            ),
            to_field_name="paragraph",
            required=False,
            label=_("Joint actions"),
            **kwargs,
        )

    def label_from_instance(self, obj) -> str:
        return f"{obj.paragraph}. {obj.title}"

    def _check_values(self, value):
        # A paragraph is a small number: anything else (2**63 overflowed the database's integer) is
        # refused here naming the value, before the lookup.
        for paragraph in value:
            if not str(paragraph).isdigit() or len(str(paragraph)) > 4:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": paragraph}
                )
        return super()._check_values(value)


class AreaChoiceField(forms.ModelMultipleChoiceField):
    """Priority areas by code."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            queryset=Area.objects.all(), to_field_name="code", required=False, label=_("Areas"), **kwargs
        )

    def label_from_instance(self, obj) -> str:
        return obj.name


class OrganisationChoiceField(forms.ModelChoiceField):
    """One organisation by code, named in the reader's language."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.party.code})" if obj.party_id else obj.name


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    """Organisations by code, named in the reader's language."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.party.code})" if obj.party_id else obj.name


def _codes(objects) -> list[str]:
    return [obj.code for obj in objects or []]


def _paragraphs(actions) -> list[int]:
    return [action.paragraph for action in actions or []]


class AgendaField(forms.CharField):
    """Agenda items, one a line, each optionally followed by the paragraphs it concerns in brackets:
    `Semiconductor early warning [46, 47]`."""

    widget = forms.Textarea(attrs={"rows": 5})

    def to_python(self, value) -> list[dict[str, Any]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        # The field's validators see the parsed list, not the text: refuse NUL here, as CharField would
        # (PostgreSQL cannot store it).
        ProhibitNullCharactersValidator()(text)
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = AGENDA_LINE.match(line.strip())
            assert match is not None  # the pattern matches every line
            title = match["title"].strip()
            if not title:
                raise ValidationError(
                    _("Line %(n)s has paragraphs but no title."), code="no_title", params={"n": number}
                )
            if len(title) > 300:
                raise ValidationError(
                    _("Line %(n)s: keep an item under 300 characters."), code="too_long", params={"n": number}
                )
            paragraphs = [int(p) for p in re.findall(r"\d+", match["paragraphs"] or "")]
            items.append({"title": title, "actions": paragraphs})
        if len(items) > 50:
            raise ValidationError(_("At most 50 agenda items."), code="too_many")
        return items

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                item["title"] + (f" [{', '.join(map(str, item['actions']))}]" if item["actions"] else "")
                for item in value
            )
        return value


class CycleForm(forms.Form):
    """A year's cycle with its call-for-updates dates (para 19: progress reviewed yearly)."""

    year = forms.IntegerField(label=_("Year"), min_value=2022, max_value=2100)
    call_opens = forms.DateField(
        label=_("Call for updates opens"), widget=forms.DateInput(attrs={"type": "date"})
    )
    call_closes = forms.DateField(
        label=_("Call for updates closes"), widget=forms.DateInput(attrs={"type": "date"})
    )
    council_date = forms.DateField(
        label=_("Council meeting"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    late_updates = forms.ChoiceField(
        label=_("Updates filed after the call closes"),
        choices=Cycle.LateUpdates.choices,
        initial=Cycle.LateUpdates.MARK,
        required=False,  # the default: marked late
        help_text=_("Either way a late update is never counted as if it had come in time."),
    )


class LateUpdatesForm(forms.Form):
    """What becomes of the cycle's updates filed after its call closes."""

    late_updates = forms.ChoiceField(
        label=_("Updates filed after the call closes"), choices=Cycle.LateUpdates.choices
    )


class MeetingForm(forms.Form):
    """A meeting of a cooperation mechanism or of the Council, with its agenda (para 21)."""

    mechanism = OrganisationChoiceField(
        label=_("Mechanism"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MECHANISM).select_related("party"),
        to_field_name="code",
    )
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online = forms.BooleanField(label=_("Held online"), required=False)
    participants = OrganisationsChoiceField(
        label=_("Participating organisations"),
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.MECHANISM).select_related("party"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    agenda = AgendaField(
        label=_("Agenda"),
        required=False,
        help_text=_(
            "One item per line, with the paragraphs it concerns in brackets, "
            "e.g. “Semiconductor early warning [46, 47]”."
        ),
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["mechanism"] = data["mechanism"].code
        data["participants"] = _codes(data["participants"])
        data["date"] = data["date"].isoformat()
        return data


class OutcomeForm(forms.Form):
    """A decision, guidance item or note of a meeting."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    owner = OrganisationChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.select_related("party"),
        to_field_name="code",
        required=False,
        help_text=_("Required for a decision or guidance item: the organisation that follows it up."),
    )
    areas = AreaChoiceField()
    actions = ActionChoiceField()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["owner"] = data["owner"].code if data["owner"] else ""
        data["areas"] = _codes(data["areas"])
        data["actions"] = _paragraphs(data["actions"])
        return data


class FollowUpForm(forms.Form):
    """Where a decision or guidance item stands."""

    follow_up = forms.ChoiceField(
        label=_("Follow-up"), choices=Outcome.FollowUp.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PriorityForm(forms.Form):
    """A priority the Council sets for a cycle, on an area or a joint action (para 23)."""

    cycle = forms.IntegerField(label=_("For cycle"), min_value=2022, max_value=2100)
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.all(), to_field_name="code", required=False
    )
    action = forms.ModelChoiceField(
        label=_("Joint action"),
        queryset=JointAction.objects.only("id", "paragraph", "title_en", "title_ja").order_by("paragraph"),
        to_field_name="paragraph",
        required=False,
    )
    rationale = forms.CharField(
        label=_("Rationale"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].label_from_instance = lambda obj: obj.name  # type: ignore[attr-defined]
        self.fields["action"].label_from_instance = lambda obj: f"{obj.paragraph}. {obj.title}"  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["area"] = data["area"].code if data["area"] else ""
        data["action"] = data["action"].paragraph if data["action"] else ""
        return data


class PriorityResultForm(forms.Form):
    """What became of a priority."""

    result = forms.ChoiceField(label=_("What became of it"), choices=Priority.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class WindowForm(forms.Form):
    """A consultation window: the days stakeholders and Member States may contribute (paras 22, 45),
    whole days in the zone of the secretariat's party, from the opening day to the closing day."""

    title = forms.CharField(label=_("Title"), max_length=300)
    opens = forms.DateField(label=_("Opening day"), widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(
        label=_("Closing day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Contributions are taken until the end of this day, in your party's time zone."),
    )


class ContributionForm(forms.Form):
    """A stakeholder's or Member State's contribution, with an optional attachment."""

    text = forms.CharField(
        label=_("Your contribution"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 20000}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    areas = AreaChoiceField()
    actions = ActionChoiceField()
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("Optional; at most %(size)s.") % {
            "size": filesizeformat(settings.MAX_UPLOAD_BYTES)
        }

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and attachment.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is too large: at most %(size)s."),
                code="too_large",
                params={"size": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            )
        return attachment

    def service_data(self) -> dict[str, Any]:
        return {
            "text": self.cleaned_data["text"],
            "language": self.cleaned_data["language"],
            "areas": _codes(self.cleaned_data["areas"]),
            "actions": _paragraphs(self.cleaned_data["actions"]),
        }


class ModerationForm(forms.Form):
    """Accept or reject a contribution (with a reason), optionally replying."""

    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Contribution.Status.ACCEPTED, _("accept")),
            (Contribution.Status.REJECTED, _("reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reply = forms.CharField(
        label=_("Reply"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
