"""`workflow_stepped`: an issue or an article took a workflow step.

Sent by `transitions.record`, inside the step's transaction, for every step on the record:
submit, approve and send back; an issue's publish, schedule and withdrawal; an article's
withdrawal and republication. The articles an issue's publish moves all at once
(`transitions.move_all`) are part of the issue's step, which is sent once, for the issue.
Arguments: `subject`, the Issue or Article, and `step`, its new TransitionRecord (who,
from, to, note). Whoever keeps a trail listens (the audit app); the desk knows none of them.
"""

from django.dispatch import Signal

workflow_stepped = Signal()
