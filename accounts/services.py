"""The second factor: who must pass one, enrolment, checking a code, backup codes, resetting.

Devices are django-otp's own: an authenticator app (TOTPDevice, one per person), passkeys
(django-otp-webauthn's WebAuthnCredential, any number) and one set of backup codes
(StaticDevice). Roles are known by group name from settings (TWO_FACTOR_REQUIRED_FOR), so this
package imports nothing of the newsroom's apps.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

SUPERUSERS = "superusers"
STAFF = "staff"
BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "验证器应用"
BACKUP_CODES_NAME = "备用码"
_TOTP_CODE = re.compile(r"\d{6}")


class SecondFactorThrottled(Exception):
    """Too many wrong codes in a row: django-otp refuses to check another one for a while."""

    def __init__(self, seconds: int):
        super().__init__(f"请 {seconds} 秒后再试。")
        self.seconds = seconds


def second_factor_required(user) -> bool:
    """Whether settings make this account pass a second factor (TWO_FACTOR_REQUIRED_FOR)."""
    required = set(settings.TWO_FACTOR_REQUIRED_FOR)
    if (STAFF in required and user.is_staff) or (SUPERUSERS in required and user.is_superuser):
        return True
    groups = required - {STAFF, SUPERUSERS}
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def is_enrolled(user) -> bool:
    """Whether the account has an authenticator app or a passkey (backup codes alone do not
    count: they only stand in for one of those)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def owes_second_factor(user) -> bool:
    """Whether a password alone does not let this account in: it must use the second factor
    it has enrolled, or enrol one if settings require it. Checked on the unverified only."""
    return second_factor_required(user) or is_enrolled(user)


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def start_authenticator(user) -> TOTPDevice:
    """A fresh, unconfirmed authenticator key for the QR code; it counts once a code from
    the app confirms it. An earlier unconfirmed one (a page opened before) is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def pending_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirm_authenticator(device: TOTPDevice, code: str) -> bool:
    """Confirm a new authenticator with a code it shows; it replaces the account's previous
    app (a new phone). False, and nothing changed, when the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not _check(device, normalised(code)):
            return False
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_backup_codes(user) -> list[str]:
    """Ten new one-time codes, replacing any the account had; shown once, as xxxx-xxxx."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": BACKUP_CODES_NAME})
    with transaction.atomic():
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def verify_code(user, code: str):
    """The device that accepts `code` (six digits: the authenticator app; anything else: a
    backup code, used up by this), or None. Raises SecondFactorThrottled while django-otp
    holds the device back after wrong codes (1, 2, 4, 8 … seconds)."""
    code = normalised(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not _check(device, code):
            return None
    return device


def normalised(code: str) -> str:
    """What people type from a phone or a printout: spaces, dashes, capitals."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _check(device, code: str) -> bool:
    allowed, detail = device.verify_is_allowed()
    if not allowed and detail.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        seconds = (detail["locked_until"] - timezone.now()).total_seconds()
        raise SecondFactorThrottled(max(1, round(seconds)))
    return device.verify_token(code)


@dataclass(frozen=True)
class Removal:
    removed: bool
    reason: str = ""


def remove_device(user, device) -> Removal:
    """Remove one of the account's own authenticator or passkeys; the backup codes go with
    the last one. Refused for the last one of an account that must keep a second factor."""
    if device.user_id != user.pk:
        return Removal(False, "不是您的验证方式。")
    with transaction.atomic():
        device.delete()
        if is_enrolled(user):
            return Removal(True)
        if second_factor_required(user):
            transaction.set_rollback(True)
            return Removal(False, "您的账号必须启用两步验证：请先添加另一种验证方式，再移除这一种。")
        StaticDevice.objects.filter(user=user).delete()
    return Removal(True)


def reset_second_factor(user) -> int:
    """Remove every device of the account (a lost phone): its sessions are no longer
    verified, and at the next log-in it enrols again if it must. Returns how many went."""
    removed = 0
    for model in (TOTPDevice, WebAuthnCredential, StaticDevice):
        removed += model.objects.filter(user=user).count()
        model.objects.filter(user=user).delete()
    return removed
