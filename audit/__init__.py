"""The audit trail: who changed what, took which step, published, withdrew, exported,
imported, logged in or failed to, when and from which address; append-only.

Built on django-auditlog: the editorial rows are registered with it (`registration`), the
events that are not saves of a row are recorded as its LogEntry rows too (`events`), from
the signals articles sends and Django's log-in signals (`receivers`). Superusers read and
search the trail in the admin (`admin`); nobody changes it there, and the database refuses
to (`migrations/0002_logentry_append_only`, `guard`).

The app sits above articles and media and listens to them; nothing imports it (settings
name it), so the trail can be taken out without touching what it watches.
"""
