"""/taxii2/: the TAXII 2.1 server (outside the language prefix: TAXII clients do not pick a language)."""

from django.urls import path, re_path

from . import views

app_name = "threat_intel"

_COLLECTION = "<slug:root>/collections/<str:collection_id>/"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("<slug:root>/", views.api_root, name="api_root"),
    path("<slug:root>/status/<str:status_id>/", views.status, name="status"),
    path("<slug:root>/collections/", views.collections, name="collections"),
    path(_COLLECTION, views.collection, name="collection"),
    path(_COLLECTION + "objects/", views.objects, name="objects"),
    path(_COLLECTION + "objects/<str:object_id>/", views.object_, name="object"),
    path(_COLLECTION + "objects/<str:object_id>/versions/", views.versions, name="versions"),
    path(_COLLECTION + "manifest/", views.manifest, name="manifest"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
