"""Where an upload's time goes: the photo add form posted under cProfile, in a process with
the broker server's settings (bench/jobs.py --profile-child). Django's test client instead
of HTTP: the same middleware, form, storage and commit, without gunicorn reading the socket
(which bench/jobs.py's HTTP timings include)."""

import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADD = "/admin/media/photo/add/"
RUNS = 3


def profile_upload(photo: Path, saved: str | None) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    upload(client, photo, "剖析上传 预热")  # the first request imports what the rest reuse
    plain = [upload(client, photo, f"计时上传 {run}") for run in range(RUNS)]
    profiler = cProfile.Profile()
    for run in range(RUNS):
        upload(client, photo, f"剖析上传 {run}", profiler)
    if saved:
        profiler.dump_stats(saved)
    report(pstats.Stats(profiler), plain)


def upload(
    client, photo: Path, caption: str, profiler: cProfile.Profile | None = None
) -> tuple[float, float]:
    """The add form posted once: seconds of wall and of this process's CPU for the request;
    returns once the worker has made the renditions, so the next starts on a quiet worker."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, encode_multipart

    from jobs.models import Job
    from media.models import Photo
    from tests.admin_forms import form_data

    data = form_data(client.get(ADD))
    data.update(caption=caption, alt_text="基准测试照片")
    data["image"] = SimpleUploadedFile("DSC_0001.JPG", photo.read_bytes(), "image/jpeg")
    body = encode_multipart(BOUNDARY, data)  # encoded before the clock starts
    newest = Photo.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    # A content type equal to, not the same object as, MULTIPART_CONTENT: sent as is.
    response = client.post(ADD, body, content_type="multipart/form-data; boundary=" + BOUNDARY)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert response.status_code == 302, response.content[:2000]
    uploaded = Photo.objects.get(pk__gt=newest)
    deadline = time.monotonic() + 120
    while not Job.objects.of(uploaded, "renditions").filter(state__in=["done", "failed"]).exists():
        assert time.monotonic() < deadline, "the renditions job did not finish"
        time.sleep(0.05)
    return wall, cpu


def where(file: str, line: int, name: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line} {name}" if line else name


# The steps of an upload worth naming: (label, file, function), cumulative per upload.
STEPS = [
    (
        "the whole request (Django's handler, every middleware)",
        "django/core/handlers/base.py",
        "get_response",
    ),
    ("multipart parsing of the body (the 10 MB file into memory)", "django/http/multipartparser.py", "parse"),
    ("form field: SVG/empty check, pixel count, Django's image check", "media/forms.py", "to_python"),
    ("model validation: validate_photo_file", "media/validators.py", "validate_photo_file"),
    ("… of which the JPEG decoded at 1/8 scale (Pillow load)", "PIL/ImageFile.py", "load"),
    ("… of which the renditions' plan (refuse_unrenderable)", "media/validators.py", "refuse_unrenderable"),
    ("IPTC, XMP and EXIF read (read_embedded)", "media/metadata.py", "read_embedded"),
    ("storing the original (storage save)", "django/core/files/storage/base.py", "save"),
    ("the revision (django-reversion)", "newsroom/revisions.py", "saved_revision"),
    (
        "may this editor change the photo (used by a publication?)",
        "articles/desk/transitions.py",
        "may_change_photo",
    ),
    ("commits (transaction.atomic exits)", "django/db/transaction.py", "__exit__"),
    ("the job sent to RabbitMQ (jobs.services.send)", "jobs/services.py", "send"),
    ("second-factor gate (accounts middleware)", "accounts/middleware.py", "_gate"),
    ("audit log's actor (auditlog middleware)", "audit/middleware.py", "get_extra_data"),
    ("the redirect (response_add)", "media/admin.py", "response_add"),
]


def report(stats: pstats.Stats, plain: list[tuple[float, float]]) -> None:
    print(
        "the request in process, without the profiler, wall / CPU ms: "
        + ", ".join(f"{wall * 1000:.0f} / {cpu * 1000:.0f}" for wall, cpu in plain)
        + "\n"
    )
    cumulative = {
        (where(file, line, name).split(":", 1)[0], name): total / RUNS
        for (file, line, name), (_, _, _, total, _) in stats.stats.items()
    }
    whole = cumulative.get(("django/core/handlers/base.py", "get_response"), 0) or 1
    print("| step (under cProfile, per upload) | ms | share of the request |")
    print("| --- | ---: | ---: |")
    for label, file, name in STEPS:
        spent = cumulative.get((file, name), 0)
        print(f"| {label} (`{file}` {name}) | {spent * 1000:.0f} | {spent / whole:.0%} |")
    rows = [(own / RUNS, calls // RUNS, where(*key)) for key, (_, calls, own, _, _) in stats.stats.items()]
    print("\n| function, by own time (per upload) | calls | own ms |")
    print("| --- | ---: | ---: |")
    for own, calls, name in sorted(rows, reverse=True)[:12]:
        print(f"| `{name}` | {calls} | {own * 1000:.0f} |")
    sys.stdout.flush()
