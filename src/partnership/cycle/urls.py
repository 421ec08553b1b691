from django.urls import path

from . import views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:year>/", views.cycle_page, name="cycle"),
    path("cycles/<int:year>/print/", views.cycle_print, name="cycle_print"),
    path("cycles/<int:year>/phase/", views.advance_phase, name="advance_phase"),
    path("cycles/<int:year>/translations/", views.translation_queue, name="translation_queue"),
    path("cycles/<int:year>/late-updates/", views.late_updates, name="late_updates"),
    path("cycles/<int:year>/calendar/", views.propose_calendar, name="propose_calendar"),
    path("cycles/<int:year>/calendar/agree/", views.agree_calendar, name="agree_calendar"),
    path("outcomes/<uuid:uid>/confirm/", views.confirm_outcome, name="confirm_outcome"),
    path("priorities/<uuid:uid>/confirm/", views.confirm_priority, name="confirm_priority"),
    path("cycles/<int:year>/priorities/<int:pk>/", views.priority_result, name="priority_result"),
    path("cycles/<int:year>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("cycles/<int:year>/consultation/", views.consultation, name="consultation"),
    path("cycles/<int:year>/consultation/windows/new/", views.window_new, name="window_new"),
    path("cycles/<int:year>/consultation/<int:window>/contribute/", views.contribute, name="contribute"),
    path("meetings/<uuid:uid>/", views.meeting_page, name="meeting"),
    path("meetings/<uuid:uid>/outcomes/", views.outcome_new, name="outcome_new"),
    path("meetings/<uuid:uid>/priorities/", views.priority_new, name="priority_new"),
    path("outcomes/<uuid:uid>/follow-up/", views.follow_up, name="follow_up"),
    path("contributions/<uuid:uid>/moderate/", views.moderate, name="moderate"),
    path("contributions/<uuid:uid>/attachment/", views.attachment, name="attachment"),
]
