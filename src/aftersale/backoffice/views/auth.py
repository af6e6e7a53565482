"""Signing in and out of the back-office (Django's auth views with our templates)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link could be followed by a prefetcher or a hostile page)."""
