"""What every change page of the admin shares."""


class StoredObjectHeadingMixin:
    """A change page sent back with errors names the object as it is stored — in its
    heading, breadcrumb, window title and buttons — not as the refused input.

    Django's model form puts the input on the instance before the model's validators refuse
    it, and the page then takes the object's name from that instance: a refused headline (a
    U+202E reversing the text, markup) would come back as the page's title, and the status
    buttons would show state that was never saved. The form itself keeps the input for the
    editor to fix.
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and request.method == "POST" and obj is not None and obj.pk is not None:
            # Re-rendered after a POST: the save was refused (a saved one redirects).
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                context["original"] = stored
                context["subtitle"] = str(stored)
        return super().render_change_form(request, context, add, change, form_url, obj)
