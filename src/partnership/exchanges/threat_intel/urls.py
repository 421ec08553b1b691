"""/<lang>/threat-intel/: the web pages (the TAXII server itself is under /taxii2/, see taxii.py)."""

from django.urls import path

from . import views

_COLLECTION = "threat-intel/<slug:root>/<uuid:collection_id>/"

urlpatterns = [
    path("threat-intel/", views.collections_page, name="threat-intel"),
    path("threat-intel/activity/", views.activity_page, name="threat-intel-activity"),
    path(_COLLECTION, views.objects_page, name="threat-intel-objects"),
    path(_COLLECTION + "<str:object_id>/", views.object_page, name="threat-intel-object"),
]
