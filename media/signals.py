"""Rendition files follow their rows: a deleted row's file is retired in the same
transaction and deleted after the commit, unless a publication readers can be served
still links to it; each new publication lets go of the files it no longer shows, and
the files of photos it dropped move to names readers never saw.

Publications belong to articles, which sits above media: articles connects
`prune_after_publication` to its `publication_changed` signal (in its `ready()`), and the
signal hands it no more than publication pks."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Rendition, RetiredFile
from .renditions.services import prune_retired, retire_unlinked


@receiver(post_delete, sender=Rendition, dispatch_uid="media.retire_rendition_file")
def retire_rendition_file(sender, instance, using, **kwargs):
    # A row in this transaction: if the deletion is rolled back, so is the retirement.
    RetiredFile.objects.using(using).bulk_create(
        [RetiredFile(name=instance.file.name)], ignore_conflicts=True
    )
    _prune_after_commit(using)


def prune_after_publication(sender, publications, using, **kwargs):
    """Publications readers are served were written (or deleted) and committed: the files
    they no longer link may go. Each new one may be the publication that stops linking to
    a replaced crop, or to every file of a withdrawn article's photos."""
    prune_retired()
    for publication_pk in publications:
        retire_unlinked(publication_pk)


class _Prune:
    """prune_retired() after the commit, registered once per transaction however many
    rows it deletes (a photo has some thirty renditions)."""

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        prune_retired()


def _prune_after_commit(using) -> None:
    # Django keeps this transaction's pending callbacks in run_on_commit; without it (a
    # future Django), pruning merely runs once per deleted row.
    pending = getattr(transaction.get_connection(using), "run_on_commit", [])
    if not any(isinstance(entry[1], _Prune) and not entry[1].done for entry in pending):
        transaction.on_commit(_Prune(), using=using, robust=True)
