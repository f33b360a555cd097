"""Autocomplete selects for inline rows that render without a query per row.

Django's AutocompleteSelect looks its chosen option up in the database for every row it
renders; an article with twenty photo blocks and five bylines paid 25 queries for that.
Inline rows already hold the related object (the inline's queryset select_related()s it),
so the widget renders the chosen option from it. Shared plumbing: imports no app.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect


class RowAutocompleteSelect(AutocompleteSelect):
    chosen = None  # the related object the row already loaded

    def optgroups(self, name, value, attr=None):
        values = [str(v) for v in value if v not in (None, "")]
        if self.chosen is None or values != [str(self.chosen.pk)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(self.chosen)
        options.append(self.create_option(name, values[0], label, True, len(options)))
        return [(None, options, 0)]


class RowAutocompleteForm(forms.ModelForm):
    """Hands each row's loaded related objects to its autocomplete widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap the +/✎ wrapper
            if isinstance(widget, RowAutocompleteSelect) and getattr(self.instance, f"{name}_id", None):
                widget.chosen = getattr(self.instance, name)


class RowAutocompleteInlineMixin:
    """For InlineModelAdmin: autocomplete fields render from the row; list them in
    `autocomplete_fields` and select_related() them in get_queryset()."""

    form = RowAutocompleteForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RowAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
