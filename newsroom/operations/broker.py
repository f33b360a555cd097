"""The task broker (Celery's, CELERY_BROKER_URL): whether it answers, and how many messages
wait in each queue. Asked through kombu directly, so nothing here needs the Celery app."""

from django.conf import settings
from kombu import Connection
from kombu.exceptions import ChannelError


def broker_url() -> str:
    """Empty when tasks run in the process that starts them (no broker)."""
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def queue_names() -> list[str]:
    """The queues Celery's settings name: the default one and any declared."""
    names = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"]
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        name = queue if isinstance(queue, str) else getattr(queue, "name", None)
        if name and name not in names:
            names.append(name)
    return names


def queue_depths(url: str, names: list[str], *, timeout: float) -> dict[str, int]:
    """Messages waiting in each queue (0 for one never declared). Raises when the broker
    does not answer; one try, no retries, socket timeouts of `timeout` seconds."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
        connection.ensure_connection(max_retries=0)
        return {name: _depth(connection, name) for name in names}


def _depth(connection, name: str) -> int:
    # A channel per queue: RabbitMQ closes the channel that asked for a missing queue.
    with connection.channel() as channel:
        try:
            # A passive declaration creates nothing: it asks the broker (RabbitMQ, or
            # kombu's Redis transport, which counts the queue's lists) how many are ready.
            return channel.queue_declare(queue=name, passive=True).message_count
        except ChannelError:  # no such queue: nothing was ever sent to it
            return 0
