"""Pages of the people app, under /<lang>/people/: a secretariat's own party's people, and the
invitation link every invitee opens."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/me/", views.own_account, name="own_account"),
    path("people/me/tokens/", views.own_token, name="own_token"),
    path("people/me/tokens/<str:token_id>/revoke/", views.revoke_own_token, name="revoke_own_token"),
    path("people/invite/", views.invite, name="people_invite"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/active/", views.set_active, name="person_active"),
    path("people/<int:person_id>/invite-again/", views.invite_again, name="person_invite_again"),
    path("people/welcome/<str:token>/", views.welcome, name="welcome"),
]
