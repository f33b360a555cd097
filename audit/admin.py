"""The trail in the admin: superusers read and search it; nobody adds, changes or deletes
an entry (and the database would refuse: migrations/0002_logentry_append_only)."""

from auditlog.models import LogEntry
from django.contrib import admin
from django.utils import timezone

from newsroom.admin.records import RecordAdminMixin

from . import display
from .events import EVENTS
from .models import CHANGE_ACTIONS, AuditEntry

# auditlog's own page: in English, and open to any staff given its view permission.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


class EventFilter(admin.SimpleListFilter):
    title = "事件"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [*((str(action), label) for action, label in CHANGE_ACTIONS.items()), *EVENTS.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value in EVENTS:
            return queryset.filter(additional_data__event=value)
        if value.isdigit() and int(value) in CHANGE_ACTIONS:
            return queryset.filter(action=int(value))
        return queryset.none()


class ChineseTitle:
    """A field's list filter under a Chinese title: auditlog's field names are English."""

    chinese_title = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.chinese_title


class TimeFilter(ChineseTitle, admin.DateFieldListFilter):
    chinese_title = "时间"


class ActorFilter(ChineseTitle, admin.RelatedOnlyFieldListFilter):
    chinese_title = "操作人"


class ObjectTypeFilter(ChineseTitle, admin.RelatedOnlyFieldListFilter):
    chinese_title = "对象类型"


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["when", "who", "what", "subject", "summary", "address"]
    list_display_links = ["when"]
    list_filter = [
        EventFilter,
        ("timestamp", TimeFilter),
        ("actor", ActorFilter),
        ("content_type", ObjectTypeFilter),
    ]
    # Who (the account, or the name kept once it is deleted, or the name a failed log-in
    # tried), what (the object's name) and from where.
    search_fields = [
        "actor__username",
        "additional_data__actor_name",
        "additional_data__username",
        "object_repr",
        "remote_addr",
    ]
    search_help_text = "按操作人、登录所用用户名、对象名称或 IP 地址搜索。"
    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "actor"]
    list_per_page = 50
    fields = ["when", "who", "what", "subject", "summary", "changed_fields", "address", "correlation"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="时间", ordering="timestamp")
    def when(self, entry):
        return timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="操作人", ordering="actor__username")
    def who(self, entry):
        return display.who(entry)

    @admin.display(description="事件")
    def what(self, entry):
        return entry.what

    @admin.display(description="对象")
    def subject(self, entry):
        return display.subject(entry)

    @admin.display(description="内容")
    def summary(self, entry):
        return display.summary(entry)

    @admin.display(description="字段的变化")
    def changed_fields(self, entry):
        return display.changes_table(entry)

    @admin.display(description="IP 地址")
    def address(self, entry):
        return entry.remote_addr or display.NOBODY

    @admin.display(description="关联编号")
    def correlation(self, entry):
        return entry.cid or display.NOBODY
