"""/<lang>/supply-chain/: the monitoring series' pages."""

from django.urls import path

from . import register_views, views

urlpatterns = [
    path("supply-chain/", views.series_list_page, name="supply-chain"),
    path("supply-chain/<uuid:uid>/", views.series_page, name="supply-chain-series"),
    path("supply-chain/<uuid:uid>/detectors/", views.series_detectors, name="supply-chain-detectors"),
    # The registers (issue 16, item 5)
    path("supply-chain/investments/", register_views.investments_page, name="supply-chain-investments"),
    path(
        "supply-chain/investments/<uuid:uid>/", register_views.investment_page, name="supply-chain-investment"
    ),
    path(
        "supply-chain/export-controls/",
        register_views.export_controls_page,
        name="supply-chain-export-controls",
    ),
    path(
        "supply-chain/export-controls/<uuid:uid>/",
        register_views.export_control_page,
        name="supply-chain-export-control",
    ),
    path(
        "supply-chain/subscriptions/<str:register>/",
        register_views.subscription,
        name="supply-chain-subscription",
    ),
]
