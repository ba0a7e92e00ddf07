"""Sign-in with a limit on failed attempts per username and address."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from publisher import ratelimit

LOCKED_OUT = (
    "Too many failed sign-in attempts for this username. For your security, wait 15 minutes "
    "and try again, or ask an admin to reset your password."
)


class RateLimitedAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = ratelimit.client_address(self.request)
        # Checked before the password, so a locked-out guesser learns nothing from right guesses.
        if ratelimit.is_locked_out(username, address):
            raise ValidationError(LOCKED_OUT, code="locked_out")
        try:
            cleaned = super().clean()
        except ValidationError:
            ratelimit.record_failure(username, address)
            raise
        ratelimit.clear_failures(username, address)
        return cleaned


login = auth_views.LoginView.as_view(
    authentication_form=RateLimitedAuthenticationForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()
