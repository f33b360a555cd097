"""Model fields both apps use."""

from django.conf import settings
from django.db import models


def acting_user(verbose_name: str, **options) -> models.ForeignKey:
    """Who did something to a row. Kept when the account is deleted (the record names nobody
    then), and never a reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )
