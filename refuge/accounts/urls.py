from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from refuge.accounts import users, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("code/", views.two_factor, name="two_factor"),
    path("enrol/", views.enrol, name="two_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", views.reauth, name="reauth"),
    path("", views.account, name="account"),
    path("sessions/end/", views.end_my_sessions, name="account_end_sessions"),
    path("language/", views.account_language, name="account_language"),
    path("password/", views.password_change, name="password_change"),
    path("recovery-codes/", views.new_recovery_codes, name="recovery_codes_new"),
    path("passkeys/add/", views.passkey_add, name="passkey_add"),
    path("passkeys/<uuid:code>/remove/", views.passkey_remove, name="passkey_remove"),
    path("organisation/passkeys/", users.organisation_passkeys, name="organisation_passkeys"),
    path("users/", users.user_list, name="user_list"),
    path("organisation/lock-down/", users.organisation_lock_down, name="organisation_lock_down"),
    path("users/<uuid:code>/", users.user_detail, name="user_detail"),
    path("users/<uuid:code>/end-sessions/", users.user_end_sessions, name="user_end_sessions"),
    path("users/<uuid:code>/disable/", users.user_disable, name="user_disable"),
    path("users/<uuid:code>/enable/", users.user_enable, name="user_enable"),
    path("users/<uuid:code>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<uuid:code>/reset-2fa/", users.user_reset_2fa, name="user_reset_2fa"),
]
