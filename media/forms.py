"""The photo page's forms: the upload with its own words for SVG and empty files, the
focal point, and the caption, alt text and credits suggested from the file's metadata."""

from django import forms

from newsroom.admin.autocomplete import RowAutocompleteForm

from .metadata import suggested_alt_text
from .models import Photo
from .validators import EMPTY_PHOTO, UNREADABLE_PHOTO, refuse_bomb, refuse_svg_and_empty

PREFILLED_HELP = "取自图片文件的内嵌信息，请核对、修改后保存。"
STORAGE_FULL = (
    "服务器存储空间已满，图片没有保存（其他内容也没有保存，仍在下方）。"
    "请通知技术值班人员清理空间，然后重新上传图片并保存。"
)
STORAGE_FAILED = (
    "图片文件写入存储时出错，图片没有保存（其他内容也没有保存，仍在下方）。请稍后重新上传图片并保存。"
)


class PhotoImageField(forms.ImageField):
    def to_python(self, data):
        # Before Django's own image check, which would call an SVG merely "not an image".
        if data is not None and hasattr(data, "size"):
            refuse_svg_and_empty(data)
            # Also before it: Django's check opens the file under Pillow's own bomb limit
            # and would call a refused picture "unreadable" instead of "too many pixels".
            refuse_bomb(data)
        return super().to_python(data)


class PhotoForm(forms.ModelForm):
    image = PhotoImageField(
        label=Photo._meta.get_field("image").verbose_name,
        help_text=Photo._meta.get_field("image").help_text,
        error_messages={"invalid_image": UNREADABLE_PHOTO, "empty": EMPTY_PHOTO},
    )

    class Meta:
        model = Photo
        fields = ["image", "focal_x", "focal_y", "caption", "alt_text", "credit_action"]
        widgets = {
            "focal_x": forms.NumberInput(attrs={"step": "0.0001", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.0001", "min": "0", "max": "1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefilled: list[str] = []
        found = self.instance.embedded_metadata if self.instance.pk else {}
        if not found or self.is_bound:
            return
        # Shown, not saved: the editor's save is the confirmation.
        for name, value in (("caption", found.get("caption", "")), ("alt_text", suggested_alt_text(found))):
            if value and not getattr(self.instance, name):
                self.initial[name] = value
                field = self.fields[name]
                field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " prefilled").strip()
                field.help_text = PREFILLED_HELP
                self.prefilled.append(name)


class PhotoCreditForm(RowAutocompleteForm):
    """A credit row; one suggested from the file's by-line is kept when the page is saved
    with its contributor still chosen, and dropped when the editor clears it."""

    def has_changed(self):
        if self.instance.pk or not self.initial.get("contributor"):
            return super().has_changed()
        return bool(self.data.get(self.add_prefix("contributor")))
