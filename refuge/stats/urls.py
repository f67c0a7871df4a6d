from __future__ import annotations

from django.urls import path

from refuge.stats import views

urlpatterns = [
    path("", views.stats_page, name="stats_page"),
    path("outcomes.json", views.stats_json, name="stats_json"),
    path("outcomes.csv", views.stats_csv, name="stats_csv"),
    path("outcomes.pdf", views.stats_pdf, name="stats_pdf"),
    path("releases/", views.stats_releases, name="stats_releases"),
    path("releases/<uuid:code>/withdraw/", views.stats_release_withdraw, name="stats_release_withdraw"),
]
