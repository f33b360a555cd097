"""Two editors on one article: a stale save of the article page names only what conflicts
(`articles.desk.conflicts`) and keeps everything the editor typed.

The page carries the state it was opened at (`opened_state`, signed); a stale save re-opens
it at the saved version with the colleague's changes in, the editor's own carried over, and
each conflict side by side for a choice.
"""

from django.core.exceptions import NON_FIELD_ERRORS

from articles.copydesk.forms import same_text
from articles.desk import conflicts
from articles.desk.admin import beijing, display_name
from articles.desk.forms import BodyTextAware
from articles.models import Article


def merge_message(current: Article, merge) -> str:
    who = display_name(current.updated_by)
    parts = [
        f"保存未成功：您打开此页之后，{who} 于 {beijing(current.updated_at)} 保存了这篇稿件"
        f"（现在是第 {current.version} 版）。本页已按新版本重新打开，您填写的内容没有丢失。"
    ]
    if merge.conflicts:
        names = "、".join(f"“{c.label}”" for c in merge.conflicts)
        parts.append(f"您和同事都改了{names}：请在上方的对照中逐项选择保留哪一版，再保存。")
    else:
        parts.append("没有冲突：检查无误后再点一次“保存”即合并。")
    return "".join(parts)


def saved_rows_posted(posted, formset_class, kwargs) -> dict:
    """The POST with one inline's rows replaced by the rows as saved, as its page would post
    them unchanged."""
    formset = formset_class(instance=kwargs["instance"], prefix=kwargs["prefix"], queryset=kwargs["queryset"])
    prefix = formset.prefix + "-"
    data = posted.copy()
    for key in [key for key in data if key.startswith(prefix)]:
        del data[key]
    forms_ = formset.initial_forms
    data[f"{prefix}TOTAL_FORMS"] = data[f"{prefix}INITIAL_FORMS"] = str(len(forms_))
    data[f"{prefix}MIN_NUM_FORMS"], data[f"{prefix}MAX_NUM_FORMS"] = "0", "1000"
    for form in forms_:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


class ArticleMergeAdminMixin:
    """For ArticleAdmin: the opened state on the form, and a stale save merged, not lost."""

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        if conflicts.STATE_FIELD in options["fields"]:
            return [(name, options), *rest]
        return [(name, {**options, "fields": [*options["fields"], conflicts.STATE_FIELD]}), *rest]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method != "POST" or obj is None:
            return kwargs
        opened = conflicts.posted_state(request.POST)
        if opened is not None and issubclass(inline.formset, BodyTextAware):
            kwargs["opened_rows"] = opened["rows"].get(prefix)
        if conflicts.takes_theirs(request.POST, prefix):
            # "采用同事的版本": the rows are posted back as saved, so the inline changes nothing.
            kwargs["data"] = saved_rows_posted(request.POST, inline.get_formset(request, obj), kwargs)
        return kwargs

    def _body_text_changed(self, request, obj) -> bool:
        opened = conflicts.posted_state(request.POST)
        if opened is None or opened.get("body_text") is None:
            return super()._body_text_changed(request, obj)
        if conflicts.takes_theirs(request.POST, "blocks"):
            return False  # the colleague's body, as re-opened: neither box changes it
        posted = request.POST.get("body_text")
        return posted is not None and not same_text(posted, opened["body_text"])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST" and obj is not None and "adminform" in context:
            self._merge_view(request, context, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _merge_view(self, request, context, obj) -> None:
        """On a stale save: the page re-opened at the saved version, the colleague's changes
        in, the editor's own carried over, and conflicts side by side for a choice."""
        form = context["adminform"].form
        formsets = {f.formset.prefix: f.formset for f in context["inline_admin_formsets"]}
        opened = conflicts.posted_state(form.data)
        if form.has_error(NON_FIELD_ERRORS, code="stale") and opened is not None:
            current = Article.objects.select_related("updated_by").get(pk=obj.pk)
            merge, state = conflicts.analyse(form, formsets, opened, current)
            data = form.data.copy()
            data.update(merge.data)
            data["opened_version"] = str(current.version)
            data[conflicts.STATE_FIELD] = conflicts.sign(state)
            form.data = data
            form._errors[NON_FIELD_ERRORS] = form.error_class(
                [merge_message(current, merge)], error_class="nonfield"
            )
            fresh = [prefix for prefix in formsets if prefix in merge.fresh_prefixes]
            if fresh:
                self._reopen_inlines(request, context, current, fresh)
            context["merge"] = merge
        elif opened and opened.get("conflicts"):
            context["merge"] = conflicts.Merge(conflicts=conflicts.pending(form, opened))

    def _reopen_inlines(self, request, context, article, prefixes) -> None:
        """These inlines shown as saved now (unbound), the others as posted."""
        shown = []
        for inline_admin_formset in context["inline_admin_formsets"]:
            formset = inline_admin_formset.formset
            if formset.prefix in prefixes:
                inline = inline_admin_formset.opts
                fresh = inline.get_formset(request, article)(
                    instance=article, prefix=formset.prefix, queryset=inline.get_queryset(request)
                )
                shown += self.get_inline_formsets(request, [fresh], [inline], article)
            else:
                shown.append(inline_admin_formset)
        context["inline_admin_formsets"] = shown
