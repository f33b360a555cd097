"""Send a self-check job through the task queue and wait for a worker to run it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jobs import services
from jobs.models import JobState
from jobs.probe import KIND


class Command(BaseCommand):
    help = "发送一个自检任务并等待工作进程完成 / Send a probe job through the queue and wait for a worker to run it."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30, help="最多等待秒数（默认 30）")

    def handle(self, *args, timeout, **options):
        started = time.monotonic()
        with transaction.atomic():
            job = services.start(KIND)
        while time.monotonic() - started < timeout:
            job.refresh_from_db()
            if job.state == JobState.DONE:
                took = time.monotonic() - started
                where = f"{job.result.get('host')} pid {job.result.get('pid')}"
                self.stdout.write(f"任务队列正常：自检任务 #{job.pk} 由 {where} 完成，用时 {took:.2f} 秒。")
                return
            if job.state == JobState.FAILED:
                raise CommandError(f"自检任务 #{job.pk} 失败：{job.error}")
            time.sleep(0.1)
        raise CommandError(
            f"{timeout:g} 秒内没有工作进程完成自检任务 #{job.pk}（状态：{job.get_state_display()}）。"
        )
