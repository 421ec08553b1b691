"""/<lang>/cables/: the map, the routes between two parties, the cables and one cable, the imports."""

from django.urls import path

from . import views

urlpatterns = [
    path("cables/", views.map_page, name="cables"),
    path("cables/routes/", views.routes_page, name="cables-routes"),
    path("cables/list/", views.cables_page, name="cables-list"),
    path("cables/imports/", views.imports_page, name="cables-imports"),
    path("cables/cable/<slug:slug>/", views.cable_page, name="cables-cable"),
    path("cables/outages/", views.outages_page, name="cables-outages"),
    path("cables/outages/report/", views.report_page, name="cables-report"),
    path("cables/outages/history/", views.history_page, name="cables-history"),
    path("cables/outages/profiles/", views.profiles_page, name="cables-profiles"),
    path("cables/outages/profiles/edit/", views.profile_edit_page, name="cables-profile-edit"),
    path("cables/outages/filers/", views.filers_page, name="cables-filers"),
    path("cables/outages/filers/<slug:slug>/revoke/", views.revoke_filer_page, name="cables-filer-revoke"),
    path("cables/outages/<str:uid>/", views.outage_page, name="cables-outage"),
]
