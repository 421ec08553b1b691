"""/<lang>/threat-intel/: the web pages (the TAXII server itself is under /taxii2/, see urls.py)."""

from django.urls import path

from . import web_views

_COLLECTION = "threat-intel/<slug:root>/<uuid:collection_id>/"

urlpatterns = [
    path("threat-intel/", web_views.collections_page, name="threat-intel"),
    path("threat-intel/activity/", web_views.activity_page, name="threat-intel-activity"),
    path(_COLLECTION, web_views.objects_page, name="threat-intel-objects"),
    path(_COLLECTION + "<str:object_id>/", web_views.object_page, name="threat-intel-object"),
]
