"""Second-factor devices for tests: a confirmed authenticator app, the codes it shows, and
a test client's session signed in with it."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services


def enrol_authenticator(user) -> TOTPDevice:
    """The account's authenticator app, as if scanned and confirmed."""
    device = services.authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=services.AUTHENTICATOR_NAME, confirmed=True)
    return device


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the app shows now (or `steps_ahead` periods of 30 s later: a code is accepted
    once, so a second log-in within the same period needs the next one)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client, user) -> None:
    """The client's session as after typing a code, for an account that owes one."""
    if not services.owes_second_factor(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol_authenticator(user).persistent_id
    session.save()


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the app does not show now, nor a period before or after."""
    shown = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in shown)
