"""Forms: the one place that says what valid input is, for the web, the API and spreadsheet imports."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator, URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnership.errors import Invalid

from .models import Comment, Deliverable, Indicator, IndicatorValue, Language, ProgressUpdate

FIRST_PERIOD = 2022  # the partnership was launched on 12 May 2022


class EvidenceField(forms.Field):
    """Links that prove a deliverable: a list, or text with one link per line or separated by spaces."""

    widget = forms.Textarea(attrs={"rows": 3})
    default_error_messages = {"invalid": _("“%(value)s” is not a valid http(s) link.")}

    def to_python(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Give the links as a list of text."), code="invalid_list")
        # A NUL passes URLValidator in a link's path; PostgreSQL cannot store it. Refused as CharField does.
        for item in value:
            ProhibitNullCharactersValidator()(item)
        return [item.strip() for item in value if item.strip()]

    def validate(self, value):
        super().validate(value)
        check = URLValidator(schemes=["http", "https"])
        for link in value:
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": link}
                ) from None
        if len(value) > 20:
            raise ValidationError(_("At most 20 links."), code="too_many")

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class UpdateForm(forms.ModelForm):
    """A progress update: status and narrative for this period (para 21/23: one short form)."""

    period = forms.IntegerField(label=_("Period"), required=False, min_value=FIRST_PERIOD, max_value=2100)

    class Meta:
        model = ProgressUpdate
        fields = ["status", "narrative", "language"]
        widgets = {
            "status": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 6, "maxlength": 10000}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A status must be chosen; the radio list shows the four statuses and no blank "---------".
        self.fields["status"].choices = ProgressUpdate.Status.choices

    def clean_narrative(self):
        narrative = self.cleaned_data["narrative"].strip()
        if len(narrative) > 10000:
            raise ValidationError(_("Keep the narrative under 10,000 characters."), code="max_length")
        return narrative


class DeliverableForm(forms.ModelForm):
    """A deliverable's fields as its owner edits them."""

    evidence = EvidenceField(label=_("Evidence links"), required=False)
    due_period = forms.IntegerField(
        label=_("Due cycle"), required=False, min_value=FIRST_PERIOD, max_value=2100
    )

    class Meta:
        model = Deliverable
        fields = ["title", "description", "language", "due_date", "due_period", "status", "evidence"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new deliverable is planned unless said otherwise. (The admin's view-only form has no fields.)
        if "status" in self.fields:
            self.fields["status"].required = False

    def clean_status(self):
        return self.cleaned_data.get("status") or Deliverable.Status.PLANNED

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("due_date") and not cleaned.get("due_period") and not self.errors.get("due_date"):
            self.add_error("due_date", _("Give a due date or a due cycle."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    """An indicator's definition: unit, baseline and target (IATI results style)."""

    class Meta:
        model = Indicator
        fields = [
            "title",
            "language",
            "unit",
            "ascending",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_date",
        ]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def clean_baseline_year(self):
        year = self.cleaned_data["baseline_year"]
        if not 1990 <= year <= 2100:
            raise ValidationError(_("Give a year between 1990 and 2100."), code="range")
        return year


class IndicatorValueForm(forms.ModelForm):
    """One actual value of an indicator over a period, with its source."""

    class Meta:
        model = IndicatorValue
        fields = ["period_start", "period_end", "value", "source"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its start."))
        return cleaned

    def validate_unique(self):
        # Uniqueness per period is checked by the service, which knows the indicator and answers 409.
        pass


class CommentForm(forms.ModelForm):
    """A comment on an action."""

    class Meta:
        model = Comment
        fields = ["body", "language"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 5000})}


class TranslationForm(forms.Form):
    """A person's translation of an item's text into the other language (issue 15): never a machine's."""

    language = forms.ChoiceField(label=_("Translation into"), choices=Language.choices)
    text = forms.CharField(label=_("Translation"), widget=forms.Textarea(attrs={"rows": 6}))
    description = forms.CharField(
        label=_("Description (translation)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    machine_assisted = forms.BooleanField(
        label=_("I started from a machine translation and reviewed every sentence"),
        required=False,
        help_text=_("Say so when it is true: the pages then mark the translation as machine-assisted."),
    )

    def __init__(self, *args, kind=None, source_fields: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The kind says what is translated and how long each part may be (translations.Kind.fields).
        if kind is not None:
            fields = {text_field.name: text_field for text_field in kind.fields}
            self.fields["text"].label = fields["text"].label
            self.fields["text"].max_length = fields["text"].max_length
            self.fields["text"].widget.attrs["maxlength"] = fields["text"].max_length
            self.fields["text"].validators.append(MaxLengthValidator(fields["text"].max_length))
            if "description" in fields:
                limit = fields["description"].max_length
                self.fields["description"].max_length = limit
                self.fields["description"].widget.attrs["maxlength"] = limit
                self.fields["description"].validators.append(MaxLengthValidator(limit))
                # A description is translated when the source has one.
                self.fields["description"].required = bool((source_fields or {}).get("description"))
            else:
                del self.fields["description"]


class SearchForm(forms.Form):
    """The search and its filters (the search page, its exports and `GET /api/v1/search`): every value is
    checked, and a wrong one is named (an unknown party or area, a year out of range, a NUL character)."""

    q = forms.CharField(label=_("Words"), max_length=200, required=False)
    type = forms.ChoiceField(label=pgettext_lazy("kind of result", "Type"), required=False)
    party = forms.ChoiceField(label=_("Party"), required=False)
    area = forms.ChoiceField(label=_("Priority area"), required=False)
    cycle = forms.IntegerField(label=_("Cycle"), required=False, min_value=FIRST_PERIOD, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    action = forms.IntegerField(label=_("Joint action"), required=False, min_value=1, max_value=999)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, parties=(), areas=(), reader=None, **kwargs) -> None:
        """`parties` and `areas` (from `queries.parties()` and `queries.areas()`) are the choices; the
        types and statuses shown are those `reader` may read (every one is a valid value: a link
        followed signed out finds nothing rather than failing)."""
        from . import searchable

        super().__init__(*args, **kwargs)
        any_choice = [("", _("any"))]
        kinds = searchable.kinds()
        shown = [kind for kind in kinds if kind.offered_to(reader)]

        def statuses(of):
            return any_choice + [
                (kind.label(), [(value, label) for value, label in kind.statuses])
                for kind in of
                if kind.statuses
            ]

        self.fields["type"].choices = any_choice + [(kind.code, kind.label()) for kind in kinds]
        self.fields["type"].widget.choices = any_choice + [(kind.code, kind.label()) for kind in shown]
        self.fields["party"].choices = any_choice + [(party.code, party.code) for party in parties]
        self.fields["area"].choices = any_choice + [(area.code, area.name) for area in areas]
        self.fields["status"].choices = statuses(kinds)
        self.fields["status"].widget.choices = statuses(shown)

    def clean_q(self) -> str:
        from .searchable import MAX_TERMS

        text = self.cleaned_data["q"].strip()
        if len(text.split()) > MAX_TERMS:
            raise ValidationError(
                _("Search for at most %(count)s words."), code="too_many_words", params={"count": MAX_TERMS}
            )
        return text

    def filters(self):
        """The valid filters as `searchable.Filters` (call after is_valid())."""
        from .searchable import Filters

        data = self.cleaned_data
        return Filters(
            q=data.get("q") or "",
            kind=data.get("type") or "",
            party=data.get("party") or "",
            area=data.get("area") or "",
            cycle=data.get("cycle"),
            status=data.get("status") or "",
            action=data.get("action"),
        )

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1

    def error_fields(self) -> dict[str, str]:
        """Each wrong field and what is wrong with it (for `Invalid`)."""
        return {name: " ".join(str(message) for message in errors) for name, errors in self.errors.items()}


def search_form(data, reader=None) -> SearchForm:
    """The search form bound to `data` (a page's or the API's query), with the parties and areas as
    its choices (two queries) and the types and statuses `reader` may read."""
    from . import queries

    return SearchForm(data, parties=queries.parties(), areas=queries.areas(), reader=reader)


def search_filters(data):
    """(filters, page) of a search's query; `Invalid` naming each wrong field (the API and the exports)."""
    form = search_form(data)
    if not form.is_valid():
        fields = form.error_fields()
        first = next(iter(fields.items()))
        raise Invalid(f"{first[0]}: {first[1]}", fields)
    return form.filters(), form.page_number


LANGUAGE_VALUES = {choice.value for choice in Language}
