"""Template filters of the progress report: the reader's language version of bilingual data, and
the labels of the codes the report's data carries (statuses, kinds, results)."""

from django import template
from django.utils.translation import get_language

from partnership.people.models import Organisation
from partnership.programme.models import Deliverable, ProgressUpdate

from ..charts import status_labels
from ..models import Meeting, Outcome, Priority

register = template.Library()

CHOICES = {
    "deliverable": Deliverable.Status.choices,
    "meeting": Meeting.Kind.choices,
    "outcome": Outcome.Kind.choices,
    "follow_up": Outcome.FollowUp.choices,
    "priority": Priority.Outcome.choices,
    "organisation": Organisation.Kind.choices,
    "progress": ProgressUpdate.Status.choices,
}


@register.filter
def pick(item: dict | None, field: str) -> str:
    """`item|pick:"name"`: `name_ja` for a Japanese reader when there is one, else `name_en`."""
    if not item:
        return ""
    language = (get_language() or "en")[:2]
    return item.get(f"{field}_{language}") or item.get(f"{field}_en") or ""


@register.filter
def label(code: str | None, kind: str) -> str:
    """`code|label:"meeting"`: the label of a code of the report's data in the active language."""
    if kind == "status":
        return status_labels().get(code or "missing", code or "")
    return str(dict(CHOICES.get(kind, [])).get(code, code or ""))


@register.filter
def agreement_state(item: dict) -> str:
    """An outcome's agreement in the report: "agreed by JP and EU", or "proposed by JP, awaiting the
    other party"; "" for a note (one party's act) or an outcome of no recorded host."""
    from django.utils.translation import gettext as _

    agreement = item.get("agreement") if isinstance(item, dict) else None
    if not agreement or not agreement.get("proposed_by"):
        return ""
    if agreement.get("agreed_by"):
        return _("(agreed by %(a)s and %(b)s)") % {"a": agreement["proposed_by"], "b": agreement["agreed_by"]}
    return _("(proposed by %(a)s, awaiting the other party)") % {"a": agreement["proposed_by"]}
