"""/<lang>/supply-chain/: the monitoring series' pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("supply-chain/", views.series_list_page, name="supply-chain"),
    path("supply-chain/<uuid:uid>/", views.series_page, name="supply-chain-series"),
    path("supply-chain/<uuid:uid>/detectors/", views.series_detectors, name="supply-chain-detectors"),
]
