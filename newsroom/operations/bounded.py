"""Questions to other servers, each answered within a bound or counted as unanswered.

Each question runs in a thread of its own and the caller waits for all of them together, up
to one deadline: a database whose connection hangs, a Redis that drops packets or an object
store that retries for a minute costs the caller the bound, not its own timeouts. A question
still waiting from an earlier call is not asked again (it counts as unanswered), so a server
that hangs holds one thread per question, not one per probe.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    ok: bool
    seconds: float
    value: object = None
    error: str = ""  # "timeout", "still waiting", or the exception's class: never its text


_waiting: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def ask_all(questions: dict[str, Callable[[], object]], *, timeout: float) -> dict[str, Answer]:
    """Each question's answer (its return value), or why there was none, within `timeout`
    seconds for all of them together."""
    started = time.monotonic()
    asked: dict[str, tuple[threading.Thread, dict]] = {}
    answers: dict[str, Answer] = {}
    for name, question in questions.items():
        with _lock:
            earlier = _waiting.get(name)
            if earlier is not None and earlier.is_alive():
                answers[name] = Answer(ok=False, seconds=0.0, error="still waiting")
                continue
            box: dict = {}
            thread = threading.Thread(
                target=_ask, args=(name, question, box), name=f"ask-{name}", daemon=True
            )
            _waiting[name] = thread
            asked[name] = (thread, box)
        thread.start()
    for name, (thread, box) in asked.items():
        thread.join(max(0.0, started + timeout - time.monotonic()))
        answers[name] = box.get("answer") or Answer(
            ok=False, seconds=round(time.monotonic() - started, 3), error="timeout"
        )
    return {name: answers[name] for name in questions}


def _ask(name: str, question: Callable[[], object], box: dict) -> None:
    started = time.monotonic()
    try:
        value = question()
    except Exception as error:
        # The details are for the log: the answer itself names no host, user or path.
        log.warning("%s did not answer: %r", name, error)
        box["answer"] = Answer(
            ok=False, seconds=round(time.monotonic() - started, 3), error=type(error).__name__
        )
    else:
        box["answer"] = Answer(ok=True, seconds=round(time.monotonic() - started, 3), value=value)
