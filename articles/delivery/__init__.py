"""Delivery: the live publications' stored bytes, at close to static-file speed.

Reads only: it sits below the features that write publications, and above the models.

Publishing stored each publication's exact JSON, its SHA-256, and its gzip and brotli
encodings. A public request only has to find out *which* stored bytes are live, then send
them; nothing is serialized or compressed per request.

How a request is answered
1. The pointer: which row is live for the URL (its SHA-256, when readers could first see it,
   and when the next scheduled publication anywhere is due). With Redis: from this process's
   memory while it listens for publishes (below), else from Redis; without Redis: one small
   indexed query.
2. The bytes, in the encoding the client accepts: from this process's memory, keyed by
   SHA-256 and encoding, so an entry names one byte sequence forever and can never be stale;
   else from the shared cache (same keys); else from the database — in the pointer's own query
   when this process does not hold them, so a request runs one query at most.
3. Strong ETag (the SHA-256, with the encoding's suffix), Last-Modified, Cache-Control for a
   CDN, 304 when the client's copy is current.

Why the pointer cannot go stale
- A publish, a scheduled publish or a withdrawal inserts a Publication. After its commit the
  shared cache's *generation* is replaced (`listener.publications_changed`); every cached pointer
  records the generation it was read under and is ignored once that has changed. A reader
  reads the generation before the database, so a pointer read just before a commit lands
  under the old generation: it is never used.
- With Redis each worker also subscribes to a channel on which every publish is announced
  (after the new generation is set) and reads what has arrived before every use of a pointer
  kept in its memory: a non-blocking read, no round trip. Any announcement drops them all. A
  subscription that breaks is noticed (an error, or Redis's generation moving on without an
  announcement, checked every DELIVERY_LOCAL_POINTER_TTL seconds) and the worker asks Redis
  until it has subscribed again.
- An embargo needs no event: every pointer expires at the next scheduled `visible_from`
  (and after DELIVERY_POINTER_TTL seconds at the latest), so a scheduled publication is served
  from its second on.
- With a process-local cache (no REDIS_URL) no process could learn of another's withdrawal,
  so pointers are not cached at all: each request asks the database (one small query), and a
  withdrawal is gone at once in every process. Only content-addressed bytes are kept locally.
- Nothing read inside a transaction (ATOMIC_REQUESTS, tests) is cached or taken from the
  cache: it may be state that is rolled back.
- Redis that does not answer (hung, or away) is asked within bounds (REDIS_CONNECT_TIMEOUT,
  REDIS_SOCKET_TIMEOUT, then left alone for REDIS_RETRY_AFTER: newsroom/redis_cache.py), and
  reads fall back to the database: one small query each, as without Redis, so a publish or
  withdrawal is seen at once. A process that saw Redis fail uses nothing it kept in memory
  and, once Redis answers again, replaces the generation before using anything Redis holds
  (`Distrust`): a publish committed meanwhile may have gone unannounced. One that saw
  nothing fail may go on with what it keeps in memory for DELIVERY_LOCAL_POINTER_TTL (2 s),
  then asks Redis (and so sees it fail). A publish whose announcement failed is announced
  again every second by its process until Redis takes it; whatever happens, no pointer
  outlives DELIVERY_POINTER_TTL, and no cache downstream serves the replaced state longer
  than `stale_for()` seconds, which is what the admin tells the duty chief
  (`listener.announcements()`).

Downstream caches (browsers, the CDN) keep a response for `max-age`, and may serve it for
`stale-while-revalidate` more seconds while they ask again; both are cut so that neither
reaches past the next scheduled publication. A withdrawn issue answers 404 with
`Cache-Control: no-cache` (see articles/api/views.py).

The modules, in the order a request meets them: `fastpath` (the WSGI entry and the
middleware answering plain reads early), `pointers` (issues and articles) and `listing`
(the issue list), `kept` (what this process keeps, and whether it is current), `listener`
(generations and announcements), `caches` (memory, the shared cache, Redis clients),
`responses` (validators, 304/412, Cache-Control), `encodings` (compression, negotiation),
`reads` (the raw SQL, and the working copy for rendering), `rendering` and `documents`
(the JSON readers get, made at publish time).
"""
