from django.urls import path

from . import views

urlpatterns = [path("ledger/", views.status, name="ledger")]
