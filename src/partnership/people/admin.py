"""People in the back office: parties and organisations are read-only (they come from the programme
file); memberships and tokens are managed by superusers only (Django's default permissions)."""

from django.contrib import admin

from .models import ApiToken, Membership, Organisation, Party


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__party"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are shown once, by `partnership token create`
