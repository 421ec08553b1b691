from django.urls import path

from . import views

urlpatterns = [
    path("certificates/", views.verify_page, name="certificates"),
    path("certificates/equivalence/", views.table_page, name="certificates-equivalence"),
]
