"""A password alone is not a log-in for an account that owes its second factor."""

import functools

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import services


class SecondFactorMiddleware:
    """Right after django-otp's OTPMiddleware (which tells whether the session passed a
    second factor): a user who typed the password but still owes the second factor is
    anonymous everywhere except on the pages that take it and the admin's log-in and log-out.
    So the admin, the staff export and the photo originals never see a half-signed-in user,
    without each of them knowing about the second factor. Lazy, like request.user itself:
    requests that never look at the user cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.user = SimpleLazyObject(functools.partial(self._gate, request, user))
        auser = getattr(request, "auser", None)
        if auser is not None:
            request.auser = functools.partial(self._agate, request, auser)
        return self.get_response(request)

    async def _agate(self, request, auser):
        return await sync_to_async(self._gate)(request, await auser())

    def _gate(self, request, user):
        if not user.is_authenticated or user.is_verified() or _takes_second_factor(request.path_info):
            return user
        if services.owes_second_factor(user):
            return _anonymous()
        return user


@functools.cache
def _open_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact paths, path prefixes) a half-signed-in user reaches as themselves: the admin's
    log-in and log-out, and the two-factor pages (passkeys' URLs included, accounts/urls.py)."""
    return (reverse("admin:login"), reverse("admin:logout")), (reverse("accounts:two_factor"),)


def _takes_second_factor(path: str) -> bool:
    exact, prefixes = _open_paths()
    return path in exact or path.startswith(prefixes)


def _anonymous() -> AnonymousUser:
    # What OTPMiddleware gives every user, so code asking is_verified() still can.
    anonymous = AnonymousUser()
    anonymous.otp_device = None
    anonymous.is_verified = lambda: False
    return anonymous
