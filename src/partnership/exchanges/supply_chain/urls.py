"""/<lang>/supply-chain/: the monitoring series' pages, and the events' and alerts' (`alert_views`)."""

from django.urls import path

from . import alert_views, exercise_views, register_views, views

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
    # Events and alerts (issue 16, items 3 and 4).
    path("supply-chain/events/", alert_views.events_page, name="supply-chain-events"),
    path("supply-chain/events/<uuid:uid>/", alert_views.event_page, name="supply-chain-event"),
    path("supply-chain/alerts/", alert_views.alerts_page, name="supply-chain-alerts"),
    path(
        "supply-chain/alerts/subscription/",
        alert_views.alerts_subscription,
        name="supply-chain-alerts-subscription",
    ),
    path("supply-chain/alerts/<uuid:uid>/", alert_views.alert_page, name="supply-chain-alert"),
    path(
        "supply-chain/alerts/<uuid:uid>/<slug:step>/", alert_views.alert_step, name="supply-chain-alert-step"
    ),
    # Tabletop exercises (issue 16, item 4).
    path("supply-chain/exercises/", exercise_views.exercises_page, name="supply-chain-exercises"),
    path("supply-chain/exercises/<uuid:uid>/", exercise_views.exercise_page, name="supply-chain-exercise"),
    path(
        "supply-chain/exercises/runs/<uuid:uid>/", exercise_views.run_page, name="supply-chain-exercise-run"
    ),
    path(
        "supply-chain/exercises/runs/<uuid:uid>/report/",
        exercise_views.report_page,
        name="supply-chain-exercise-report",
    ),
    path(
        "supply-chain/exercises/runs/<uuid:uid>/<slug:step>/",
        exercise_views.run_step,
        name="supply-chain-exercise-step",
    ),
]
