"""Draft nodes as rows: the fields a draft gives its Block, Section and credit rows, and the
one way every row of the copy desk is written (validated first, as the admin validates)."""

from django.core.exceptions import ValidationError

from articles import body

from .credits import CreditDraft


def saved(obj, lines=()):
    """full_clean() and save, as the admin would; a refusal names the manuscript line."""
    try:
        obj.full_clean()
    except ValidationError as error:
        if lines:
            where = f"第 {lines[0]} 行"
            raise ValidationError([f"{where}：{message}" for message in error.messages]) from error
        raise
    obj.save()
    return obj


def block_fields(node) -> tuple[str, dict]:
    """A draft block's kind (the body kinds are the Block kinds) and the fields it fills;
    a photo's `photo` is the caller's to find or make."""
    if node.type == body.VIDEO:
        return node.type, {"text": node.text, "url": node.url}
    if node.type == body.PHOTO:
        return node.type, {}
    return node.type, {"text": node.text}


def section_fields(testimony) -> dict:
    return {
        "speaker_name": testimony.speaker_name,
        "speaker_title": testimony.speaker_title,
        "headline": testimony.headline,
    }


def save_credits(model, credits: tuple[CreditDraft, ...], contributors: dict, **owner) -> None:
    """Credit rows (bylines, photo credits) in the order printed, each naming its contributor."""
    for n, credit in enumerate(credits, start=1):
        saved(
            model(
                position=n,
                contributor=contributors[credit.name],
                role=credit.role,
                organisation=credit.organisation,
                **owner,
            )
        )
