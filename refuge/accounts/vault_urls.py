from __future__ import annotations

from django.urls import path

from refuge.accounts import vault_pages as views

urlpatterns = [
    path("unseal/", views.unseal_page, name="vault_unseal"),
    path("seal/", views.seal_now, name="vault_seal"),
]
