"""The filings wizard and the notification log, under a case; every object named by its UUID code."""

from __future__ import annotations

from django.urls import path

from refuge.filings import views

urlpatterns = [
    path("cases/<uuid:code>/filings/new/", views.filing_new, name="filing_new"),
    path("cases/<uuid:code>/filings/generate/", views.filing_generate, name="filing_generate"),
    path("cases/<uuid:code>/filings/<uuid:filing_code>/", views.filing_detail, name="filing_detail"),
    path("cases/<uuid:code>/filings/<uuid:filing_code>/download/", views.filing_download, name="filing_download"),
    path("cases/<uuid:code>/filings/<uuid:filing_code>/send/", views.filing_send, name="filing_send"),
    path("cases/<uuid:code>/sendings/new/", views.sending_add, name="sending_add"),
    path("cases/<uuid:code>/sendings/<uuid:sending_code>/proof/", views.sending_proof, name="sending_proof"),
]
