"""The copy desk in the admin: importing a manuscript (paste or upload, review, save as
drafts), the article body edited as text, and the "查看站点" link.

The pages only show what the copy desk's services read and hand the editor's choices
back to it; the service decides, checks permissions and saves in one transaction.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles.models import Issue

from . import body_editor, grammar, report
from .desk import fix_ids
from .forms import BodyRows, ImportForm, beijing_today, normalise_text, same_text
from .importing import propose, save_proposal
from .questions import kind_label
from .reader_view import credits_line, draft_node, preview

CHOICE_PREFIX = "who:"
NEW_PREFIX = "whonew:"


class ImportAdminMixin:
    """For IssueAdmin: `import/` (paste or upload, review, save) and `newest/` (the
    admin's "查看站点": the newest issue's preview)."""

    import_template = "admin/articles/copydesk/import.html"
    change_list_template = "admin/articles/copydesk/issue_change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("import/", wrap(self.import_view), name="articles_issue_import"),
            path("newest/", wrap(self.newest_view), name="articles_issue_newest"),
        ]
        return own + super().get_urls()

    @admin.display(description="导入稿件")
    def import_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("admin:articles_issue_import") + f"?issue={obj.pk}"
        return format_html('<a href="{}">粘贴或上传稿件，加到本专题</a>', url)

    def newest_view(self, request):
        issue = Issue.objects.order_by("-issue_date", "-id").first()
        if issue is None:
            self.message_user(request, "还没有专题：可以新建，或导入一版稿件。", messages.INFO)
            return HttpResponseRedirect(reverse("admin:articles_issue_changelist"))
        return HttpResponseRedirect(reverse("admin:articles_issue_preview", args=[quote(issue.pk)]))

    def import_view(self, request):
        if not request.user.has_perm("articles.add_article"):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if request.method == "GET":
            form = ImportForm(initial={"issue": request.GET.get("issue"), "issue_date": beijing_today()})
            return self._import_page(request, form)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._import_page(request, form)
        accepted, ignored = form.ids("accepted"), form.ids("ignored")
        post = request.POST
        accepted, ignored = _toggle(post, accepted, ignored)
        if post.get("accept_category"):
            accepted |= fix_ids(form.cleaned_data["text"], post["accept_category"])
            ignored -= accepted
        choices = _choices(post)
        proposal = propose(
            form.cleaned_data["text"],
            user=request.user,
            issue=form.cleaned_data["issue"],
            accepted=accepted,
            accept_all="accept_all" in post,
            choices=choices,
        )
        accepted = proposal.reading.accepted
        save_errors = []
        if "save" in post and proposal.savable:
            try:
                done = save_proposal(
                    proposal,
                    user=request.user,
                    title=form.cleaned_data["title"],
                    issue_date=form.cleaned_data["issue_date"],
                )
            except ValidationError as error:
                save_errors = error.messages
            except PermissionDenied as error:
                save_errors = [str(error)]
            else:
                self.message_user(request, _saved_message(done), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:articles_issue_change", args=[quote(done.issue.pk)])
                )
        # The page shows the text read (an upload's too) and the choices made so far.
        form.data = form.data.copy()
        form.data["text"] = form.cleaned_data["text"]
        form.data["accepted"] = ",".join(sorted(accepted))
        form.data["ignored"] = ",".join(sorted(ignored))
        return self._import_page(request, form, proposal, ignored, save_errors)

    def _import_page(self, request, form, proposal=None, ignored=frozenset(), save_errors=()):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入稿件",
            "subtitle": None,
            "form": form,
            "media": self.media + form.media,
        }
        if proposal is not None:
            context |= review_context(proposal, ignored)
            context["save_errors"] = list(save_errors)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_template, context)


def _toggle(post, accepted: set, ignored: set) -> tuple[set, set]:
    """One click on a finding's button: accept, undo, ignore or bring back."""
    for name, into, out_of in (("accept", accepted, ignored), ("ignore", ignored, accepted)):
        if post.get(name):
            into.add(post[name])
            out_of.discard(post[name])
    for name, group in (("unaccept", accepted), ("unignore", ignored)):
        if post.get(name):
            group.discard(post[name])
    return accepted, ignored


def _choices(post) -> dict[str, str]:
    """{name: contributor id, or "new:<disambiguation>"} from the contributors table."""
    choices = {}
    for key, value in post.items():
        if key.startswith(CHOICE_PREFIX):
            name = key[len(CHOICE_PREFIX) :]
            choices[name] = f"new:{post.get(NEW_PREFIX + name, '').strip()}" if value == "new" else value
    return choices


def review_context(proposal, ignored) -> dict:
    """What the review page shows: findings by state, the draft part by part, every line."""
    reading = proposal.reading
    findings = []
    for finding in reading.findings:
        state = (
            "accepted" if finding.id in reading.accepted else "ignored" if finding.id in ignored else "open"
        )
        findings.append({"finding": finding, "state": state})
    open_fixes = [f for f in findings if f["state"] == "open" and f["finding"].fixable]
    # Punctuation is many small fixes of one kind: listed apart, accepted together or one by one.
    punctuation = [f for f in findings if f["finding"].category == report.PUNCTUATION]
    parts = [_part_view(part, n) for n, part in enumerate(reading.page.parts)]
    rows = reading.rows()
    return {
        "proposal": proposal,
        "reading": reading,
        "findings": [f for f in findings if f["finding"].category != report.PUNCTUATION],
        "punctuation": punctuation,
        "open_punctuation": sum(1 for f in punctuation if f["state"] == "open"),
        "all_findings": len(findings),
        "open_fixes": len(open_fixes),
        "open_questions": sum(1 for f in findings if f["state"] == "open" and not f["finding"].fixable),
        "parts": parts,
        "rows": rows,
        "counts": sorted(reading.element_counts().items(), key=lambda pair: -pair[1]),
        "contributors": list(proposal.contributors.values()),
        "unplaced_label": grammar.UNPLACED,
        "part_names": {n: (part["short"], part["name"]) for n, part in enumerate(parts)},
    }


def _part_view(part, n: int) -> dict:
    name = {"article": "稿件", "photo": "专题图片", "timeline": "大事记"}[part.type]
    view = {"n": n, "type": part.type, "name": f"{n + 1}. {name}", "short": f"{n + 1}. {name}", "part": part}
    if part.type == "article":
        view["kind_label"] = kind_label(part.kind)
        view["byline"] = credits_line(part.bylines)
        view["body"] = [draft_node(node) for node in part.body]
        view["name"] += f"《{part.headline}》"
    elif part.type == "photo":
        view["node"] = draft_node(part)
    else:
        view["credit"] = credits_line(part.credits, part.credit_action)
        view["name"] += f"“{part.title}”"
    return view


def _saved_message(done) -> str:
    parts = [f"{len(done.articles)} 篇稿件（草稿）"]
    if done.page_photos:
        parts.append(f"{done.page_photos} 张专题图片")
    if done.timelines:
        parts.append(f"{done.timelines} 份大事记")
    where = "新建专题" if done.created_issue else "专题"
    message = f"已导入{where}“{done.issue}”：{'、'.join(parts)}。"
    if done.awaiting:
        message += f"{done.awaiting} 张图片待配图：请在图片页上传图片文件并填写替代文字。"
    return message + "发布前请看本页的“发布前检查”。"


class BodyEditorAdminMixin:
    """For ArticleAdmin: the body text field's preview endpoint, the refusal of a save that
    changes the text and the block inlines at once, and saving the text into blocks."""

    def get_urls(self):
        own = [
            path(
                "body-preview/",
                self.admin_site.admin_view(self.body_preview_view),
                name="articles_article_body_preview",
            ),
        ]
        return own + super().get_urls()

    def body_preview_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_view_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        shown = preview(normalise_text(request.POST.get("text", "")))
        html = render_to_string("admin/articles/copydesk/body_preview.html", {"preview": shown}, request)
        return JsonResponse({"html": html, "characters": shown["characters"], "errors": shown["errors"]})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST" and issubclass(inline.formset, BodyRows):
            kwargs["body_text_changed"] = self._body_text_changed(request, obj)
        return kwargs

    def _body_text_changed(self, request, obj) -> bool:
        if not hasattr(request, "_copydesk_body_changed"):
            posted = request.POST.get("body_text")
            shown = body_editor.body_text(obj) if obj is not None else ""
            request._copydesk_body_changed = (
                posted is not None and shown is not None and not same_text(posted, shown)
            )
        return request._copydesk_body_changed

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        plan = getattr(form, "body_plan", None)
        if plan is not None:
            body_editor.apply_body(form.instance, plan, user=request.user)

    @admin.display(description="正文（文本）")
    def body_text(self, obj):
        text = body_editor.body_text(obj) if obj is not None and obj.pk else ""
        if text is None:
            return "（正文含文本无法原样表示的内容，请看下方的正文块）"
        return format_html('<pre class="body-text-readonly">{}</pre>', text or "—")
