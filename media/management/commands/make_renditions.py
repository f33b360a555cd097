import time

from django.core.management.base import BaseCommand, CommandError

from media.models import Photo
from media.renditions import services as renditions


class Command(BaseCommand):
    help = (
        "生成图片的衍生图（各尺寸与 16:9、4:3、1:1 焦点裁切）/ (Re)build photo renditions: "
        "all of them, only the missing or out-of-date ones (--missing), or given photos (--photo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="只补齐缺少或过期的衍生图 / only photos whose renditions are missing or out of date",
        )
        parser.add_argument(
            "--photo",
            type=int,
            action="append",
            dest="photos",
            metavar="ID",
            help="只处理这张图片（可重复）/ only this photo (repeatable)",
        )

    def handle(self, *args, missing: bool = False, photos=None, **options):
        queryset = Photo.objects.exclude(image="").order_by("pk")
        if photos:
            queryset = queryset.filter(pk__in=photos)
            unknown = sorted(set(photos) - set(queryset.values_list("pk", flat=True)))
            if unknown:
                raise CommandError(f"没有这些图片 / no such photos: {', '.join(map(str, unknown))}")
        todo = [p for p in queryset if not (missing and p.renditions_ready)]
        if not todo:
            self.stdout.write("所有图片的衍生图都已是最新 / every photo's renditions are up to date")
            return
        made = failed = 0
        start = time.perf_counter()
        for n, photo in enumerate(todo, start=1):
            try:
                outcome = renditions.refresh(photo, force=not missing)
                made += outcome.made
            except Exception as exc:  # one bad file must not stop the rebuild of the others
                failed += 1
                self.stderr.write(f"\n图片 {photo.pk} 失败 / photo {photo.pk} failed: {exc}")
            self._progress(n, len(todo), photo, start)
        if self.stdout.isatty():
            self.stdout.write("")  # end the bar's line
        summary = f"完成：{len(todo) - failed} 张图片，生成 {made} 个文件 / done: {made} files for {len(todo) - failed} photos"
        if failed:
            raise CommandError(f"{summary}；{failed} 张失败 / {failed} failed")
        self.stdout.write(self.style.SUCCESS(summary))

    def _progress(self, n: int, total: int, photo: Photo, start: float) -> None:
        """A bar redrawn in place on a terminal; one line per photo when piped to a log."""
        width = 30
        filled = round(width * n / total)
        elapsed = time.perf_counter() - start
        line = f"[{'#' * filled}{'-' * (width - filled)}] {n}/{total} 图片 {photo.pk}  {elapsed:.1f}s"
        if self.stdout.isatty():
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()
        else:
            self.stdout.write(line)
