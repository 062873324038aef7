"""Sign-in throttling (django-axes): too many wrong passwords lock out the username and the address for a while.

Failures count separately per username and per client address, so neither guessing one person's password from
many places nor many people's passwords from one place goes unchecked.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from watchkeeper.accounts.forms import SignInForm


class SignInThrottle(AxesStandaloneBackend):
    """Axes's check, for sign-ins that come through a request.

    Code that authenticates without one (the test client's login, a management command) has no address to count,
    and throttling is for people at the sign-in page, so it passes through to the next backend.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]


def minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any) -> HttpResponse:
    """The sign-in page again, saying why and for how long, with 429 Too Many Requests."""
    form = SignInForm(request, data=request.POST or None)
    form.is_bound = False  # show the form empty, with only the message below
    message = (
        f"Too many failed sign-in attempts. You cannot sign in for {minutes()} minutes. "
        "If you have forgotten your password, ask an admin to reset it."
    )
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.POST.get("next", ""), "locked_out": message},
        status=429,
    )
