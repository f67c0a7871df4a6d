from __future__ import annotations

from django.urls import path

from refuge.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
