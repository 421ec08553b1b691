from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("search/export.<slug:fmt>", views.search_export, name="search_export"),
    path("areas/<slug:code>/", views.area_page, name="area"),
    path("actions/<int:paragraph>/", views.action_page, name="action"),
    path("actions/<int:paragraph>/print/", views.action_print, name="action_print"),
    path(
        "actions/<int:paragraph>/indicator-values.<slug:fmt>",
        views.indicator_values_export,
        name="indicator_values_export",
    ),
    path("actions/<int:paragraph>/update/", views.file_update, name="file_update"),
    path("actions/<int:paragraph>/comments/", views.add_comment, name="add_comment"),
    path("actions/<int:paragraph>/deliverables/new/", views.deliverable_form, name="deliverable_new"),
    path("actions/<int:paragraph>/deliverables/<uuid:uid>/", views.deliverable_form, name="deliverable_edit"),
    path("translations/<slug:kind>/<uuid:uid>/", views.translate, name="translate"),
    path(
        "actions/<int:paragraph>/indicators/<uuid:uid>/value/",
        views.indicator_value_form,
        name="indicator_value",
    ),
]
