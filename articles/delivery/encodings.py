"""Content codings: the compressed forms stored at publish time, and which one a reader
gets (Accept-Encoding)."""

import functools
import gzip
from concurrent.futures import ThreadPoolExecutor

import brotli

from articles.conf import conf

IDENTITY = "identity"
CODINGS = ("br", "gzip")  # stored at publish time; preferred in this order at equal weight
# RFC 9110 §8.8.3: a strong validator names one byte sequence, so each content coding of a
# publication has its own entity tag.
ETAG_SUFFIX = {IDENTITY: "", "gzip": "-gzip", "br": "-br"}


def compress(data: bytes) -> dict[str, bytes]:
    """The stored encodings of `data`; deterministic (no gzip time stamp), so equal bytes
    always give equal encodings."""
    return {"br": _brotli(data), "gzip": _gzip(data)}


def compress_all(texts: list[bytes]) -> list[dict[str, bytes]]:
    """`compress` for many texts, on two threads: both libraries let go of the GIL while
    they compress, so on two cores a publish spends half the time on it."""
    coders = {"br": _brotli, "gzip": _gzip}
    # Largest first, so that neither thread is left with the big issue text at the end.
    work = sorted(((len(text), n, coding) for n, text in enumerate(texts) for coding in coders), reverse=True)
    with ThreadPoolExecutor(max_workers=2) as threads:
        done = threads.map(lambda item: coders[item[2]](texts[item[1]]), work)
        forms = [{} for _ in texts]
        for (_, n, coding), encoded in zip(work, done, strict=True):
            forms[n][coding] = encoded
    return [{"br": form["br"], "gzip": form["gzip"]} for form in forms]


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=conf.DELIVERY_BROTLI_QUALITY)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=conf.DELIVERY_GZIP_LEVEL, mtime=0)


def accepted(request) -> str:
    """The content coding to send in answer to `request`."""
    return negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))


@functools.lru_cache(maxsize=512)
def negotiate(accept_encoding: str) -> str:
    """The content coding to send for an Accept-Encoding value (RFC 9110 §12.5.3): the one
    with the highest weight, br before gzip before identity at equal weight; identity when
    nothing stored is acceptable (or nothing at all: it is sent rather than a 406)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        weights["gzip" if coding == "x-gzip" else coding] = _weight(params)
    anything = weights.get("*")

    def weight(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if anything is not None:
            return anything
        # Unlisted identity stays acceptable (§12.5.3) but comes after any listed coding.
        return 0.001 if coding == IDENTITY else 0.0

    best = max((*CODINGS, IDENTITY), key=lambda coding: weight(coding))
    return best if weight(best) > 0 else IDENTITY


def _weight(params: str) -> float:
    """The q parameter of one Accept-Encoding item: 1 when absent, 0 when not a number."""
    weight = 1.0
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
    return weight
