"""/<lang>/example-exchange/: the trend notes' pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("example-exchange/", views.notes_page, name="example-exchange"),
    path("example-exchange/<uuid:uid>/", views.note_page, name="example-exchange-note"),
]
