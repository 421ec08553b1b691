from django.contrib import admin

from . import services
from .models import ApiRoot, Collection, CollectionGrant, Status


@admin.register(ApiRoot)
class ApiRootAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "party", "max_content_length"]


class GrantInline(admin.TabularInline):
    model = CollectionGrant
    extra = 1


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "api_root", "peer", "default_tlp", "allow_custom"]
    readonly_fields = [
        "peer"
    ]  # set by the ledger for a copy of a peer's collection (records.py), never by hand
    inlines = [GrantInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.grants_changed(form.instance)


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["id", "collection", "user", "request_timestamp", "success_count", "failure_count"]
    readonly_fields = [field.name for field in Status._meta.fields]
