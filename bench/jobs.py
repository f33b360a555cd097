"""Measure the background jobs end to end: a 24-MP upload through the admin until its
renditions exist, and the export job of the 200-article bench issue, each against the old
synchronous path in the same run.

Everything is real and local: a throw-away PostgreSQL database (made and dropped here), a
RabbitMQ queue of this run's own, one Celery worker (`celery -A newsroom worker
--concurrency 1`), and three production servers (gunicorn with newsroom/gunicorn.conf.py,
DEBUG off, static files collected) that differ only in where jobs run:

- broker: CELERY_BROKER_URL set, jobs go to the worker (production);
- thread: no broker, a thread of the web process after the commit (the embedded default);
- inline: no broker, JOBS_IN_PROCESS=inline: the renditions inside the upload's request,
  which is what the upload cost before jobs (the baseline).

An `editor` (编辑, no second factor by default) logs in through /admin/login/ and posts the
photo add form with a ~10 MB camera JPEG (6000×4000, sensor noise). Timed: POST sent →
response (issue target < 500 ms), and POST sent → the renditions job's `finished_at`
(target < 3 s with one worker). Uploads take turns between the servers, one at a time, each
waiting for its renditions; the first round warms the servers and is not counted.

Export: POST /api/v1/issues/<slug>/export/ → 202 → the job URL polled every 100 ms →
download; against GET on the same URL (the package made inside the request). The two zips
must be the same bytes.

Where the upload's time goes: the same POST under cProfile, in a child with the broker
server's settings (`--profile auto`, the default: only when the upload misses its target;
`always`, `never`; `--save-profile FILE` keeps the pstats data).

    .venv/bin/python bench/jobs.py [--runs 5] [--export-runs 3] [--articles 200] [--profile always]
"""

import argparse
import io
import os
import platform
import secrets
import signal
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this folder comes first on the path, and this very file would stand in
# for the `jobs` app: the project's root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from bench.jobs_stack import MODES, Stack  # noqa: E402

AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
UPLOAD_TARGET, RENDITIONS_TARGET = 0.5, 3.0


def camera_jpeg(size=(6000, 4000), noise=6.0, quality=95) -> bytes:
    """A 24-MP JPEG as a camera writes it at its finest setting: detail at several scales,
    per-channel sensor noise (what makes real files 8–12 MB, and costs the decoder as much),
    an Adobe RGB profile, EXIF with GPS and the camera owner."""
    from PIL import Image, ImageChops

    from tests.imaging import ADOBE_RGB_PRIMARIES, icc_profile, private_exif

    width, height = size
    fractal = Image.effect_mandelbrot((width // 4, height // 4), (-2.2, -1.2, 1.0, 1.2), 200)
    fractal = fractal.resize(size, Image.Resampling.BICUBIC)
    coarse = Image.effect_noise((width // 16, height // 16), 60).resize(size, Image.Resampling.BICUBIC)
    gradient = Image.linear_gradient("L").resize(size)
    planes = [Image.blend(fractal, coarse, 0.4), Image.blend(gradient, coarse, 0.5)]
    planes.append(Image.blend(fractal, gradient, 0.5))
    # effect_noise is centred on 128: added with offset -128 it is zero-mean grain.
    grainy = [ImageChops.add(p, Image.effect_noise(size, noise), scale=1.0, offset=-128) for p in planes]
    buffer = io.BytesIO()
    Image.merge("RGB", grainy).save(
        buffer,
        "JPEG",
        quality=quality,
        icc_profile=icc_profile(ADOBE_RGB_PRIMARIES, name="Adobe RGB (1998) compatible"),
        exif=private_exif(),
    )
    return buffer.getvalue()


# --- Measurements ------------------------------------------------------------------------


def upload_rounds(stack: Stack, photo: bytes, runs: int) -> dict[str, list[dict]]:
    """runs + 1 rounds over the modes (the first only warms), one upload at a time."""
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for round_ in range(runs + 1):
        for mode in MODES:
            timing = stack.servers[mode].upload(photo, f"基准测试上传 第{round_}轮 {mode}")
            if round_:
                results[mode].append(timing)
            print(
                f"  {'warm-up' if not round_ else f'run {round_}'} {mode}: response "
                f"{timing['response']:.3f} s, renditions {timing['ready']:.3f} s",
                file=sys.stderr,
            )
    return results


def export_rounds(stack: Stack, slug: str, runs: int) -> dict[str, list[dict]]:
    server = stack.servers["broker"]
    results: dict[str, list[dict]] = {"job": [], "sync": []}
    server.export_job(slug)  # warm-up: the first export reads every row cold
    for run in range(runs):
        job, sync = server.export_job(slug), server.export_sync(slug)
        assert job["sha256"] == sync["sha256"], "the job's package differs from the synchronous one"
        results["job"].append(job)
        results["sync"].append(sync)
        print(f"  export run {run + 1}: job {job['done']:.2f} s, sync {sync['done']:.2f} s", file=sys.stderr)
    return results


# --- Report ------------------------------------------------------------------------------


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} / {max(values) * 1000:,.0f}"


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f}"


def upload_table(results: dict[str, list[dict]]) -> None:
    labels = {
        "broker": "**broker + one worker** (production)",
        "thread": "no broker, thread of the web process (embedded default)",
        "inline": "no broker, inline: renditions inside the request (**before jobs**)",
    }
    print(
        "| where the renditions are made | POST → response ms, median / max | server CPU ms to the response "
        "| POST → renditions done ms, median / max | CPU ms in all, server + worker |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for mode in MODES:
        rows = results[mode]
        print(
            f"| {labels[mode]} | {seconds([r['response'] for r in rows])} | "
            f"{median_ms([r['response_cpu'] for r in rows])} | {seconds([r['ready'] for r in rows])} | "
            f"{median_ms([r['cpu'] for r in rows])} |"
        )
    print("(CPU: medians; user + system time of the server's and the worker's processes, /proc)")


def verdict(results: dict[str, list[dict]]) -> str:
    response = statistics.median(r["response"] for r in results["broker"])
    ready = statistics.median(r["ready"] for r in results["broker"])
    met = {True: "met", False: "missed"}
    return (
        f"targets with the broker: response {response * 1000:.0f} ms (< {UPLOAD_TARGET * 1000:.0f}: "
        f"{met[response < UPLOAD_TARGET]}), renditions done {ready * 1000:.0f} ms "
        f"(< {RENDITIONS_TARGET * 1000:.0f}: {met[ready < RENDITIONS_TARGET]}), medians"
    )


def export_table(results: dict[str, list[dict]]) -> None:
    job, sync = results["job"], results["sync"]
    print(
        "| export of the bench issue | to first answer ms | to package ready ms | download ms | CPU ms "
        "| package MiB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| **POST → 202, job polled, download** | {seconds([r['accepted'] for r in job])} | "
        f"{seconds([r['done'] for r in job])} | {seconds([r['download'] for r in job])} | "
        f"{median_ms([r['cpu'] for r in job])} | {job[0]['bytes'] / 1024 / 1024:.1f} |"
    )
    print(
        f"| GET, package made in the request (before jobs) | {seconds([r['first_byte'] for r in sync])} | "
        f"{seconds([r['done'] for r in sync])} | – | {median_ms([r['cpu'] for r in sync])} | "
        f"{sync[0]['bytes'] / 1024 / 1024:.1f} |"
    )
    print(
        "(median / max; to package ready: the job's finished_at, or GET's last byte; CPU: the job's "
        "server + worker, the polls included, or GET's server)"
    )


def machine_facts(stack: Stack, photo: bytes) -> str:
    import celery
    import django
    import gunicorn
    import PIL

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return (
        f"machine: {model}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.platform()}\n"
        f"Python {platform.python_version()}; Django {django.get_version()}; Celery {celery.__version__}; "
        f"gunicorn {gunicorn.__version__}; Pillow {PIL.__version__}; PostgreSQL {stack.postgres_version()}; "
        f"RabbitMQ {stack.rabbitmq_version()}\n"
        f"photo: 6000×4000 JPEG, {len(photo) / 1e6:.1f} MB (quality 95, sensor noise, Adobe RGB, EXIF)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="uploads per server (after a warm-up)")
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto")
    parser.add_argument("--save-profile", help="also write the upload's cProfile data here (pstats)")
    parser.add_argument("--profile-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_child:
        from bench.jobs_profile import profile_upload

        profile_upload(Path(args.profile_child), saved=args.save_profile)
        return

    # A `kill` ends the run through the `with` below: every process started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("making the camera JPEG …", file=sys.stderr)
    photo = camera_jpeg()
    run_id = uuid.uuid4().hex[:8]
    with (
        tempfile.TemporaryDirectory(prefix="newsroom-bench-jobs-") as tmp,
        Stack(
            Path(tmp), database=f"newsroom_bench_jobs_{run_id}", broker=AMQP_URL, queue=f"bench-jobs-{run_id}"
        ) as stack,
    ):
        stack.prepare(articles=args.articles, password=secrets.token_urlsafe(16))
        load_before = os.getloadavg()
        uploads = upload_rounds(stack, photo, args.runs)
        exports = export_rounds(stack, stack.bench_slug, args.export_runs)
        load_after = os.getloadavg()
        print(machine_facts(stack, photo))
        print(
            f"load average (1 / 5 / 15 min) before: {'/'.join(f'{x:.1f}' for x in load_before)}, "
            f"after: {'/'.join(f'{x:.1f}' for x in load_after)}\n"
        )
        upload_table(uploads)
        print(verdict(uploads))
        print()
        export_table(exports)
        slow = statistics.median(r["response"] for r in uploads["broker"]) > UPLOAD_TARGET
        if args.profile == "always" or (args.profile == "auto" and slow):
            photo_file = Path(tmp) / "camera.jpg"
            photo_file.write_bytes(photo)
            print("\nwhere the upload's time goes (cProfile, broker server's settings, test client):")
            print(stack.profile_upload(photo_file, args.save_profile))


if __name__ == "__main__":
    main()
