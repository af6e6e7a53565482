"""Signing in and out of the back-office (Django's auth views with our templates)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aftersale.core import signin


class SignInForm(AuthenticationForm):
    """Says so when too many wrong passwords have locked the account or this address."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and signin.locked_out(self.request, username):
            raise ValidationError(
                _(
                    "Too many failed sign-ins for this account or from this address. Wait "
                    "%(minutes)s minutes and try again, or ask the shop's owner for help."
                )
                % {"minutes": signin.WINDOW_SECONDS // 60},
                code="locked",
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link could be followed by a prefetcher or a hostile page)."""
