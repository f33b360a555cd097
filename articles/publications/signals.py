"""`publication_changed`: what readers see may have changed.

The one domain event of publishing. The services that write publications (publish,
withdraw, the derived copies of a withdrawal or republish, the importer's stored snapshot,
the demo's delete) send it, and delivery (its cached pointers) and media (the photo files
readers were given) receive it (`receivers.py`, wired in the app's `ready()`).

It is sent once the transaction that wrote the rows commits, never before: a cache told
earlier could fetch the old state again and keep it, and a rolled-back publish changes
nothing for readers. Arguments: `publications`, the pks of the publications written (or
deleted), and `using`, the database alias.
"""

from collections.abc import Iterable
from functools import partial

from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import Signal

from articles.models import Publication

publication_changed = Signal()


def announce(publications: Iterable[Publication | int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Send `publication_changed` for these publications once the transaction commits."""
    pks = tuple(p if isinstance(p, int) else p.pk for p in publications)
    if not pks:
        return  # nothing written, nothing changed for readers
    # Robust: one receiver failing (media cannot reach its storage) must not keep the
    # others from hearing it; Django logs what failed.
    send = partial(publication_changed.send_robust, sender=Publication, publications=pks, using=using)
    transaction.on_commit(send, using=using)
