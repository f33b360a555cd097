"""Admin formsets that check rules spanning several rows of one article."""

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet


class BlockFormSet(BaseInlineFormSet):
    """A testimony's blocks must follow one another: nothing else may sit between them."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda data: data.get("position") or 0)
        closed, current = set(), None
        for data in kept:
            section = data.get("section")
            if section != current:
                if current is not None:
                    closed.add(current)
                if section is not None and section in closed:
                    raise ValidationError(
                        "讲述“%(section)s”的内容被其他正文块隔开了：同一段讲述的正文块须按顺序连在一起。",
                        code="section_not_contiguous",
                        params={"section": section},
                    )
                current = section
