"""People in the back office: parties and organisations are read-only (they come from the programme
file); users and memberships are the operator's (superusers) to change, and a secretariat sees those of
its own party only, read-only: it invites and changes its people on the People pages, whose service
checks the rules and sends the mail. Tokens are managed by superusers only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .models import ApiToken, Membership, Organisation, Party
from .permissions import actor_for, can_manage_people, can_use_back_office


def _back_office_permission(request) -> bool:
    """Who enters the back office at all: `can_use_back_office`, the rule the header's link follows too."""
    return can_use_back_office(request.user)


# Django lets any active staff account in; ours lets in the operator and the secretariats only.
admin.site.has_permission = _back_office_permission  # type: ignore[method-assign]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ja", "time_zone"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ja", "party", "kind"]
    list_filter = ["party", "kind"]


def _managed_party_id(request) -> int | None:
    """The party whose people the signed-in secretariat may see (`can_manage_people`), or None."""
    actor = actor_for(request.user)
    if actor is not None and can_manage_people(actor, actor.party.pk):
        return actor.party.pk
    return None


class OwnPartyPeopleAdmin(admin.ModelAdmin):
    """Superusers: Django's default permissions. A secretariat: its own party's rows, read-only."""

    party_lookup = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        party_id = _managed_party_id(request)
        return queryset.filter(**{self.party_lookup: party_id}) if party_id is not None else queryset.none()

    def has_view_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return request.user.is_active and request.user.is_staff and _managed_party_id(request) is not None

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(OwnPartyPeopleAdmin):
    list_display = ["user", "organisation", "role", "language", "invited_at"]
    list_filter = ["role", "organisation__party"]
    party_lookup = "organisation__party"


admin.site.unregister(User)


@admin.register(User)
class PartnershipUserAdmin(OwnPartyPeopleAdmin, UserAdmin):
    """Django's user admin; a secretariat sees its own party's accounts only (not their password hash)."""

    list_display = ["username", "email", "is_active", "is_staff", "last_login"]
    party_lookup = "membership__organisation__party"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are shown once, by `partnership token create`
