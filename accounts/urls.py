from django.urls import path

from accounts import api_token_views, people_views, unsubscribe, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("email-settings/", views.email_settings, name="email_settings"),
    # One-click unsubscribe from an automated email (RFC 8058): no sign-in, a signed token.
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("language/", views.language, name="language"),
    # A person's tokens for the REST API (issue 15; docs/api.md).
    path("api-tokens/", api_token_views.token_list, name="api_tokens"),
    path("api-tokens/new/", api_token_views.token_create, name="api_token_create"),
    path("api-tokens/<int:pk>/revoke/", api_token_views.token_revoke, name="api_token_revoke"),
    path("security/", views.security, name="security"),
    path("security/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Administrators manage people.
    path("people/", people_views.people, name="people"),
    path("people/add/", people_views.person_add, name="person_add"),
    path("people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people_views.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:pk>/password-link/",
        people_views.person_send_password_link,
        name="person_send_password_link",
    ),
]
