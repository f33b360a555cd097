"""One row per job: what it works on, who started it, where it stands."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


UNFINISHED = (JobState.QUEUED, JobState.RUNNING)


class JobQuerySet(models.QuerySet):
    def of(self, target, kind: str | None = None):
        """The jobs about `target` (a model instance), newest first."""
        jobs = self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        return jobs.filter(kind=kind) if kind else jobs

    def latest_of(self, target, kind: str):
        """The newest job of `kind` about `target`, with who started it (the admin shows both)."""
        return self.of(target, kind).select_related("started_by").first()

    def unfinished(self):
        return self.filter(state__in=UNFINISHED)

    def stalled(self, before):
        """Queued or running without a word since `before`: its message was lost (a broker
        that was down when it was sent) or its worker died and nothing gave it back."""
        return self.unfinished().filter(updated_at__lt=before)


class Job(models.Model):
    kind = models.CharField("任务", max_length=40)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name="对象类型"
    )
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=300, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=JobState, default=JobState.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    error = models.TextField("失败原因", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    # Export packages and other files a job hands back; private (see jobs.views.download).
    file = models.FileField("文件", upload_to="jobs/", blank=True, max_length=300)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近更新", auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "kind", "-created_at"], name="job_target"),
            models.Index(fields=["state", "updated_at"], name="job_state"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.target_label or '—'}"

    def get_kind_display(self) -> str:
        from jobs.registry import label_of

        return label_of(self.kind)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
