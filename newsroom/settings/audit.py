"""The audit trail (the `audit` app on django-auditlog): who changed, stepped, published,
withdrew, exported, imported and logged in, append-only. What it follows is code
(audit/registration.py); how it records is here."""

from newsroom.settings.base import env

# Rows loaded as fixtures (loaddata; the test runner restoring its database) are data put
# back as it was, not changes anyone made: not recorded.
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# Changes kept as JSON values (numbers, dates, null), not their str().
AUDITLOG_STORE_JSON_CHANGES = True
# Client addresses on the entries (taken as django-axes takes them: AXES_IPWARE_*). Off where
# recording them is not wanted; failed log-ins then say which name was tried, not from where.
AUDITLOG_DISABLE_REMOTE_ADDR = not env.bool("AUDIT_CLIENT_ADDRESSES", default=True)
# Each entry carries the request's id (X-Request-ID, as the logs have it), checked for sanity.
AUDITLOG_CID_GETTER = "audit.context.correlation_id"
# Long texts (body paragraphs, captions, timeline items) are kept whole in a change entry up
# to this many characters; longer ones as their start, length and fingerprint. The full texts
# are in the revisions.
AUDIT_TEXT_KEPT_WHOLE = env.int("AUDIT_TEXT_KEPT_WHOLE", default=300)
