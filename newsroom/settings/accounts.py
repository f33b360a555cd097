"""Signing in: the second factor (django-otp: authenticator apps, passkeys, backup codes),
password reset by e-mail, how long a session lasts (README, "Signing in")."""

from urllib.parse import urlsplit

import environ

from newsroom.settings.base import DEBUG, SITE_URL

env = environ.Env()

# Who must pass a second factor to use the admin: group names (the desk's roles), "superusers",
# or "staff" for every staff account; empty: everyone may enrol, nobody must. Anyone who has
# enrolled is asked for it at every log-in, required or not.
TWO_FACTOR_REQUIRED_FOR = env.list("TWO_FACTOR_REQUIRED_FOR", default=["superusers", "值班主任"])

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# A working day from the log-in, then the password (and second factor) again; Django's own
# default is two weeks. Counted from the log-in, not from the last request.
SESSION_COOKIE_AGE = int(env.float("SESSION_MAX_AGE_HOURS", default=10) * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)

# Authenticator apps show this name above the six digits.
OTP_TOTP_ISSUER = env.str("TWO_FACTOR_ISSUER", default="专题编辑后台")
# The device admins of django-otp would show secret keys and backup codes: hidden (and the
# pages themselves are not registered, accounts/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True


def passkey_origin(site_url: str) -> str:
    """Where the admin answers, as WebAuthn wants it. Browsers refuse an IP address as a
    relying party, and plain HTTP anywhere but on localhost: a local address (127.0.0.1,
    [::1]) becomes localhost, and so does any other plain-HTTP host, where passkeys cannot
    work anyway (the authenticator app works everywhere)."""
    parts = urlsplit(site_url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    if host in ("127.0.0.1", "::1") or (parts.scheme != "https" and host != "localhost"):
        return f"http://localhost{port}"
    return f"{parts.scheme}://{host}{port}"


# The admin's address(es), when not SITE_URL's host (e.g. https://cms.news.example.cn). A
# passkey belongs to the relying party's host name (and its subdomains): change it only with
# every user registering their passkeys again.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[passkey_origin(SITE_URL)])
OTP_WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=urlsplit(OTP_WEBAUTHN_ALLOWED_ORIGINS[0]).hostname)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
# Passkeys are a second factor after the password (which django-axes counts), never a way
# around it.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Outgoing mail (password reset): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.exmail.qq.com:587 or smtps://…:465. Locally (DEBUG) mail is
# printed on the console; in production the default is the host's own mail server.
globals().update(env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
# Seconds to wait for the mail server: Django's default waits for ever, holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="专题编辑后台 <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# A reset link works once, for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MAX_AGE_MINUTES", default=60) * 60
# At most one reset mail per account in this many seconds, however often the form is sent.
PASSWORD_RESET_MAIL_INTERVAL = 5 * 60
