from __future__ import annotations

from django.urls import path

from refuge.alerts import views

urlpatterns = [
    path("", views.alert_list, name="alert_list"),
    path("read/", views.alerts_read, name="alerts_read"),
    path("ack/<str:token>/", views.alert_ack_link, name="alert_ack_link"),
    path("<uuid:code>/", views.alert_detail, name="alert_detail"),
    path("<uuid:code>/acknowledge/", views.alert_ack, name="alert_ack"),
]
