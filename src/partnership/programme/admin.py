"""The secretariats' back office, under the same rules as the web and the API.

Writes go through the services (so the party is always the user's own); the programme itself is
read-only here because it changes through `partnership load-programme`.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from partnership.people.permissions import actor_for, can_edit_progress

from . import services
from .forms import DeliverableForm
from .models import Area, Comment, Deliverable, Indicator, IndicatorValue, JointAction, ProgressUpdate


class MemberAdmin(admin.ModelAdmin):
    """Base: any member of a party who is staff may look; nobody deletes; writes are decided per object."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and actor_for(request.user) is not None

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(MemberAdmin):
    list_display = ["code", "name_en", "name_ja", "paragraphs"]


@admin.register(JointAction)
class JointActionAdmin(MemberAdmin):
    list_display = ["paragraph", "title_en", "title_ja", "area"]
    list_filter = ["area"]
    search_fields = ["title_en", "title_ja", "text_en"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(MemberAdmin):
    """Append-only: viewable, never changed; new updates are filed on the action page or the API."""

    # Short columns, so that the list fits a 1,366 px screen (issue 15): the paragraph rather than the
    # action's title, the organisation's code, the narrative cut to a line.
    list_display = [
        "paragraph",
        "party",
        "period",
        "version",
        "status",
        "organisation_code",
        "excerpt",
        "filed",
    ]
    list_display_links = ["paragraph"]
    list_filter = ["party", "period", "status"]
    list_select_related = ["action", "party", "organisation"]
    search_fields = ["narrative"]
    list_per_page = 50

    @admin.display(description=_("action"), ordering="action__paragraph")
    def paragraph(self, obj: ProgressUpdate) -> int:
        return obj.action.paragraph

    @admin.display(description=_("party"), ordering="party__code")
    def party_code(self, obj: ProgressUpdate) -> str:
        return obj.party.code

    @admin.display(description=_("organisation"), ordering="organisation__code")
    def organisation_code(self, obj: ProgressUpdate) -> str:
        return obj.organisation.code

    @admin.display(description=_("narrative"))
    def excerpt(self, obj: ProgressUpdate) -> str:
        return Truncator(obj.narrative).chars(40)

    @admin.display(description=_("filed"), ordering="created_at")
    def filed(self, obj: ProgressUpdate) -> str:
        return localtime(obj.created_at).strftime("%Y-%m-%d")


def _may_edit(request: HttpRequest, obj) -> bool:
    actor = actor_for(request.user)
    if actor is None or not request.user.is_staff:
        return False
    if obj is None:
        return actor.is_secretariat or actor.role == "action_lead"
    # A record signed by a peer node is read-only here; the service refuses it too.
    return obj.signed_by is None and can_edit_progress(
        actor, obj.party_id, services.lead_organisation_ids(obj.action)
    )


class DeliverableAdminForm(DeliverableForm):
    """The web's deliverable form, plus the revision read, so the admin cannot overwrite an edit unseen."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(DeliverableForm.Meta):
        fields = [*DeliverableForm.Meta.fields, "revision"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("revision") not in (None, self.instance.revision):
            raise forms.ValidationError(
                _("This record was changed by someone else; reload the page and retry.")
            )
        return cleaned


@admin.register(Deliverable)
class DeliverableAdmin(MemberAdmin):
    form = DeliverableAdminForm
    list_display = ["title", "action", "party", "organisation", "due_date", "due_period", "status"]
    list_filter = ["party", "status"]
    search_fields = ["title", "description"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_edit(request, obj)

    def save_model(self, request: HttpRequest, obj: Deliverable, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in DeliverableForm.base_fields}
        data = {key: "" if value is None else value for key, value in data.items()}
        revision = form.cleaned_data.get("revision") or obj.revision
        # The service re-checks permission and revision inside its transaction.
        services.change_deliverable(request.user, obj.uid, data, f'"{obj.uid}.{revision}"')


@admin.register(Indicator)
class IndicatorAdmin(MemberAdmin):
    list_display = ["title", "action", "party", "unit", "baseline_value", "target_value", "target_date"]
    list_filter = ["party"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(MemberAdmin):
    list_display = ["indicator", "period_start", "period_end", "value", "source"]


@admin.register(Comment)
class CommentAdmin(MemberAdmin):
    list_display = ["action", "organisation", "language", "created_at"]


admin.site.site_header = _("Japan–EU Digital Partnership: back office")
admin.site.site_title = _("Partnership back office")
