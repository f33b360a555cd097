"""Measure rendition generation: time and peak memory for every rendition of a 24-megapixel
camera JPEG, and for the six demo photos.

Runs against a throwaway SQLite database and upload folder. Each measurement runs in a
fresh child process, so its peak resident memory (ru_maxrss) is its own; a child that
only starts Django and opens the photo is the memory baseline. In the same run, for
comparison: the same work on one thread, and without Pillow's reduced-size JPEG decoding
(`draft`), which is what the service would cost without it.

    .venv/bin/python bench/renditions.py [--runs 5]

Targets (issue 8, on a 2-core machine): all renditions of a 24-MP JPEG in < 1.5 s and
< 300 MB peak.
"""

import argparse
import io
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path, *, migrate: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # production settings need one
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def camera_jpeg(size=(6000, 4000)) -> bytes:
    """A 24-MP JPEG like a camera's: detail at several scales (not a flat gradient, not
    pure noise), an Adobe RGB profile to convert, EXIF with GPS and the camera owner."""
    from PIL import Image, ImageFilter

    from tests.imaging import ADOBE_RGB_PRIMARIES, icc_profile, private_exif

    width, height = size
    fractal = Image.effect_mandelbrot((width // 4, height // 4), (-2.2, -1.2, 1.0, 1.2), 200)
    fractal = fractal.resize(size, Image.Resampling.BICUBIC)
    fine = Image.effect_noise(size, 24).filter(ImageFilter.GaussianBlur(0.8))
    coarse = Image.effect_noise((width // 16, height // 16), 60).resize(size, Image.Resampling.BICUBIC)
    gradient = Image.linear_gradient("L").resize(size)
    red = Image.blend(fractal, fine, 0.35)
    green = Image.blend(gradient, coarse, 0.5)
    blue = Image.blend(fine, Image.blend(fractal, gradient, 0.5), 0.6)
    image = Image.merge("RGB", (red, green, blue))
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        quality=92,
        icc_profile=icc_profile(ADOBE_RGB_PRIMARIES, name="Adobe RGB (1998) compatible"),
        exif=private_exif(),
    )
    return buffer.getvalue()


# The child: one measurement in a fresh process


def child(tmp: Path, photo_ids: list[int], mode: str, runs: int) -> None:
    setup_django(tmp, migrate=False)
    from django.test import override_settings
    from PIL import Image, JpegImagePlugin

    from media.models import Photo, Rendition
    from media.renditions import services as renditions

    photos = list(Photo.objects.filter(pk__in=photo_ids).order_by("pk"))
    for photo in photos:  # what every mode pays: Django, the rows, the file header
        with photo.image.open("rb") as file, Image.open(file) as image:
            image.size  # noqa: B018
    timings = []
    if mode != "baseline":
        overrides = {"PHOTO_RENDITION_WORKERS": 1} if mode == "one-thread" else {}
        if mode == "no-draft":
            JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None
        with override_settings(**overrides):
            cpu_before = _cpu_seconds()
            for _ in range(runs):
                start = time.perf_counter()
                made = sum(renditions.refresh(photo, force=True).made for photo in photos)
                timings.append(time.perf_counter() - start)
            cpu = (_cpu_seconds() - cpu_before) / runs
    sizes: dict[str, int] = {}
    for rendition in Rendition.objects.filter(photo__in=photos):
        sizes[rendition.format] = sizes.get(rendition.format, 0) + rendition.file.size
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "timings": timings,
                "cpu": cpu if timings else 0,
                "peak_mb": peak_kb / 1024,
                "made": made if timings else 0,
                "kilobytes": {f: round(n / 1024) for f, n in sizes.items()},
            }
        )
    )


def _cpu_seconds() -> float:
    """CPU time of this process, all threads: unlike wall time, barely moved by whatever
    else the machine is running."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def setup(tmp: Path) -> None:
    """The child that builds the database: a 24-MP photo and the demo issue."""
    setup_django(tmp, migrate=True)
    import django
    from django.core.files.base import ContentFile
    from PIL import __version__ as pillow_version
    from PIL import features

    from articles.demo.loader import load_demo_issue
    from media.conf import conf
    from media.models import Photo

    data = camera_jpeg()
    big = Photo(
        caption="基准测试：2400万像素", alt_text="基准测试", image=ContentFile(data, name="camera.jpg")
    )
    big.save()
    load_demo_issue()
    facts = {
        "big": big.pk,
        "demo": list(Photo.objects.exclude(pk=big.pk).order_by("pk").values_list("pk", flat=True)),
        "size": f"{big.width}×{big.height}",
        "megabytes": len(data) / 1e6,
        "formats": ", ".join(conf.PHOTO_RENDITION_FORMATS),
        "software": f"Python {platform.python_version()}; Django {django.get_version()}; Pillow {pillow_version} "
        f"(AVIF {'yes' if features.check('avif') else 'no'}, "
        f"libjpeg-turbo {'yes' if features.check_feature('libjpeg_turbo') else 'no'})",
    }
    print(json.dumps(facts))


def run_child(*args: str) -> dict:
    result = subprocess.run(  # noqa: S603 (this script, fixed arguments)
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(Path(args.setup))
        return
    if args.child:
        tmp, mode, runs, *ids = args.child
        child(Path(tmp), [int(i) for i in ids], mode, int(runs))
        return

    # This process stays small (no Django, no images): a child's peak memory is its own,
    # not inherited from a big parent at fork time.
    with tempfile.TemporaryDirectory() as folder:
        facts = run_child("--setup", folder)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {facts['software']}"
        )
        print(
            f"24-MP photo: {facts['size']}, {facts['megabytes']:.1f} MB JPEG with an Adobe RGB profile; "
            f"formats {facts['formats']}; {args.runs} runs each, each mode in a fresh process\n"
        )
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        print("| what | renditions | median s | best s | CPU s per run | peak RSS MB | over baseline MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        big, demo = [facts["big"]], facts["demo"]
        rows = [
            ("24-MP JPEG: baseline (Django + open, no work)", big, "baseline"),
            ("24-MP JPEG: all renditions (the service)", big, "service"),
            ("24-MP JPEG: one thread", big, "one-thread"),
            ("24-MP JPEG: full-size decode (no `draft`)", big, "no-draft"),
            ("six demo photos (1600×1067): baseline", demo, "baseline"),
            ("six demo photos: all renditions", demo, "service"),
        ]
        baseline, kilobytes = {}, {}
        for label, ids, mode in rows:
            result = run_child("--child", folder, mode, str(args.runs), *map(str, ids))
            if mode == "baseline":
                baseline[tuple(ids)] = result["peak_mb"]
                print(f"| {label} | – | – | – | – | {result['peak_mb']:.0f} | – |")
                continue
            timings = result["timings"]
            if mode == "service":
                kilobytes[label.split(":")[0]] = result["kilobytes"]
            print(
                f"| {label} | {result['made']} | {statistics.median(timings):.2f} | {min(timings):.2f} | "
                f"{result['cpu']:.2f} | {result['peak_mb']:.0f} | {result['peak_mb'] - baseline[tuple(ids)]:.0f} |"
            )
        print(f"load average at end: {os.getloadavg()[0]:.1f}\n")
        for what, sizes in kilobytes.items():
            print(
                f"{what}, all renditions by format (KiB): " + ", ".join(f"{f} {n}" for f, n in sizes.items())
            )


if __name__ == "__main__":
    main()
