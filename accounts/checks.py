"""System checks: the second factor is enforced by two middleware in a fixed order; a
settings change that drops or reorders them would quietly make a password enough."""

from django.conf import settings
from django.core import checks

ORDER = (
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
)


@checks.register(checks.Tags.security)
def check_second_factor_middleware(app_configs, **kwargs):
    middleware = list(settings.MIDDLEWARE)
    positions = [middleware.index(name) if name in middleware else -1 for name in ORDER]
    if -1 in positions or positions != sorted(positions):
        return [
            checks.Error(
                "The second factor is not enforced: MIDDLEWARE must hold " + ", then ".join(ORDER) + ".",
                hint="Put OTPMiddleware and SecondFactorMiddleware right after AuthenticationMiddleware.",
                id="accounts.E001",
            )
        ]
    return []
