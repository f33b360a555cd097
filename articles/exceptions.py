"""The refusals of the newsroom's services, by type: a caller tells one from another by
its class or its codes, never by searching its words.

Each is a ValidationError, so that the forms, admin pages and commands that show a
refusal's messages go on showing them; a refusal for want of permission stays Django's
PermissionDenied.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError


class PublishRefused(ValidationError):
    """A publish, withdrawal or republish the issue's state does not allow now."""


class IssueNotReady(PublishRefused):
    """The publish checks found problems. `problems`: each with its `code` and `message`
    (`articles.publications.checks.Problem`); every message is the refusal's, with its code."""

    def __init__(self, problems: Iterable):
        self.problems = tuple(problems)
        super().__init__([ValidationError(p.message, code=p.code) for p in self.problems])


class EmbargoPending(PublishRefused):
    """The issue's embargoed publication has not taken effect yet: an article cannot be
    withdrawn or republished on its own until it has."""

    def __init__(self, message: str):
        super().__init__(message, code="embargo_pending")


def refusal_reasons(error: ValidationError | PermissionDenied) -> list[str]:
    """What a refused service call says, for a page or a command to show: a ValidationError's
    messages, a PermissionDenied's text."""
    return error.messages if isinstance(error, ValidationError) else [str(error)]
