"""Who may watch a job and take its file: whoever started it, a superuser, or whoever the
job's kind lets in (an export: those who may export; renditions: those who see photos)."""

from jobs import registry
from jobs.models import Job


def may_see(user, job: Job) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser or job.started_by_id == user.pk:
        return True
    try:
        kind = registry.kind(job.kind)
    except LookupError:
        return False
    return kind.permits(user)
