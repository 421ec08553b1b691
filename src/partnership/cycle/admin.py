"""The cycle in the back office (issue 15, item 5): cycles, meetings and what hangs on them, to look up.

Read-only for everyone, the operator included. Every record here is either signed into the ledger in the
transaction that wrote it (calendars, agreements, phase changes, meetings, outcomes, priorities, windows,
accepted contributions, published reports and their signatures) or the trace of a rule the services keep
(a reminder sent once a day, a contribution's moderation). A change made in the admin would be a change
nobody signed: the other party's node would never learn of it, the log and the page would disagree, and
the permission checks of `people.permissions` (the host records, the other party agrees, each party
moderates its own contributors) would be bypassed. The cycle pages, the API and the commands make every
change through the services. Who may look is who enters the back office (`can_use_back_office`: the
operator and the secretariats, of both parties: the cycle is the partnership's); only reminders, which
name a party's people, are shown to that party's secretariat alone.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from partnership.people.permissions import actor_for, can_use_back_office

from .models import (
    AgendaItem,
    CalendarProposal,
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
    PhaseChange,
    Priority,
    PublishedReport,
    Reminder,
    ReportSignature,
)


class ReadOnlyPermissions:
    """View only, for whoever enters the back office; no add, change or delete (the module docstring)."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_back_office(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_back_office(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RecordAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    list_per_page = 50


class RecordInline(ReadOnlyPermissions, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


def _signed(obj) -> str:
    """Where the record was signed: this node, or the peer node's party code."""
    return obj.signed_by or _("this node")


class CalendarProposalInline(RecordInline):
    model = CalendarProposal
    fields = ["call_opens", "call_closes", "council_date", "party", "proposed_at", "agreed_by", "agreed_at"]
    readonly_fields = fields


class PhaseChangeInline(RecordInline):
    model = PhaseChange
    fields = ["phase", "organisation", "changed_at"]
    readonly_fields = fields


@admin.register(Cycle)
class CycleAdmin(RecordAdmin):
    list_display = [
        "year",
        "phase",
        "call_opens",
        "call_closes",
        "council_date",
        "calendar_agreed",
        "late_updates",
    ]
    list_filter = ["phase", "calendar_agreed"]
    inlines = [CalendarProposalInline, PhaseChangeInline]


class AgendaItemInline(RecordInline):
    model = AgendaItem
    fields = ["position", "title"]
    readonly_fields = fields


class OutcomeInline(RecordInline):
    model = Outcome
    fields = ["kind", "text", "owner", "follow_up", "agreed_by"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["date", "short_title", "kind", "mechanism", "party", "cycle", "signed"]
    list_filter = ["kind", "party", "cycle"]
    list_select_related = ["mechanism", "party", "cycle", "ledger_entry"]
    search_fields = ["title", "minutes"]
    exclude = ["created_by"]
    inlines = [AgendaItemInline, OutcomeInline]

    @admin.display(description=_("title"))
    def short_title(self, obj: Meeting) -> str:
        return Truncator(obj.title).chars(60)

    @admin.display(description=_("signed by"))
    def signed(self, obj: Meeting) -> str:
        return _signed(obj)


@admin.register(Outcome)
class OutcomeAdmin(RecordAdmin):
    list_display = ["short_text", "kind", "meeting", "owner", "follow_up", "agreed_by"]
    list_filter = ["kind", "follow_up", "agreed_by"]
    list_select_related = ["meeting", "owner", "agreed_by"]
    search_fields = ["text"]

    @admin.display(description=_("text"))
    def short_text(self, obj: Outcome) -> str:
        return Truncator(obj.text).chars(60)


@admin.register(Priority)
class PriorityAdmin(RecordAdmin):
    list_display = ["cycle", "area", "action", "set_at", "agreed_by", "result"]
    list_filter = ["cycle", "result", "agreed_by"]
    list_select_related = ["cycle", "area", "action", "set_at", "agreed_by"]


@admin.register(ConsultationWindow)
class ConsultationWindowAdmin(RecordAdmin):
    list_display = ["title", "cycle", "party", "opens", "closes"]
    list_filter = ["cycle", "party"]
    list_select_related = ["cycle", "party"]


@admin.register(Contribution)
class ContributionAdmin(RecordAdmin):
    """Both secretariats read every contribution (`can_read_contribution`), as on the consultation page;
    the attachment is served by that page's permission-checked link, never by a file URL here."""

    list_display = ["created_at", "organisation", "short_text", "status", "window"]
    list_filter = ["status", "organisation__party"]
    list_select_related = ["organisation", "window"]
    exclude = ["attachment", "author", "moderated_by"]

    @admin.display(description=_("contribution"))
    def short_text(self, obj: Contribution) -> str:
        return Truncator(obj.text).chars(60)


@admin.register(Reminder)
class ReminderAdmin(RecordAdmin):
    """Reminders name a party's people: a secretariat sees those sent to its own party's people only."""

    list_display = ["sent_on", "cycle", "paragraph", "recipient"]
    list_filter = ["cycle", "sent_on"]
    list_select_related = ["cycle", "action", "recipient"]

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        actor = actor_for(request.user)
        if actor is None:
            return queryset.none()
        return queryset.filter(recipient__membership__organisation__party=actor.party)

    @admin.display(description=_("joint action"))
    def paragraph(self, obj: Reminder) -> int:
        return obj.action.paragraph


class ReportSignatureInline(RecordInline):
    model = ReportSignature
    fields = ["party", "key", "signature", "signed_at"]
    readonly_fields = fields


@admin.register(PublishedReport)
class PublishedReportAdmin(RecordAdmin):
    list_display = ["cycle", "party", "published_at", "sha256"]
    list_select_related = ["cycle", "party"]
    exclude = ["data", "published_by"]  # the data is the report itself, read on its page
    inlines = [ReportSignatureInline]
