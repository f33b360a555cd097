"""Readable pinyin slugs from Chinese titles: 守好红色根脉 → shou-hao-hong-se-gen-mai."""

import re

from pypinyin import Style, lazy_pinyin

MAX_LENGTH = 80


def pinyin_slug(text: str, max_length: int = MAX_LENGTH) -> str:
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    words = [w for w in (re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") for s in syllables) if w]
    slug = "-".join(words)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def unique_slug(model, text: str, *, exclude_pk=None) -> str:
    """A pinyin slug for `text` not yet used by another row of `model` (adds -2, -3, …)."""
    base = pinyin_slug(text) or model._meta.model_name
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
