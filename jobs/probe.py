"""The queue's self-check: a job that does nothing but say which worker ran it (after
sleeping, or failing, as asked). `manage.py check_queue` sends one and waits for it, so an
operator sees in seconds whether workers are taking jobs; the tests kill a worker under a
sleeping probe and watch the broker give it to the next one."""

import os
import socket
import time

from jobs import registry

KIND = "probe"
MAX_SECONDS = 60


def _superusers(user) -> bool:
    return user.is_superuser


@registry.handler(KIND, label="队列自检", permits=_superusers)
def probe(job, progress) -> dict:
    failures = int(job.params.get("fail_times", 0))
    if job.attempts <= failures:
        raise RuntimeError(f"自检按要求第 {job.attempts} 次失败")
    seconds = min(float(job.params.get("seconds", 0)), MAX_SECONDS)
    steps = max(1, int(seconds * 10))
    for step in range(steps):
        progress(step, steps, "等待")
        time.sleep(seconds / steps)
    return {"pid": os.getpid(), "host": socket.gethostname(), "attempt": job.attempts}
