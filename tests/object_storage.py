"""A real S3-protocol server for the storage tests: moto's server mode on 127.0.0.1, one
process a test run (started by the first test that needs it), a fresh bucket a test.

A test marked `storage` (tests/conftest.py) runs once on the file system and once on such
a bucket, configured as production configures its own (`newsroom.settings.base.s3_storage`).
What each stored is read past Django's storage: the folder itself, or the bucket by boto3.
"""

import json
import mimetypes
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import boto3
from django.core.files.storage import default_storage

from newsroom.settings.base import s3_storage

REGION = "us-east-1"
# moto takes any key; explicit ones keep boto3 from looking for real credentials.
CREDENTIALS = {"access_key": "newsroom-tests", "secret_key": "newsroom-tests"}


class MotoUnavailable(Exception):
    """moto's server did not start or did not answer."""


class MotoServer:
    """`python -m moto.server` (the `moto_server` command) on a free port of 127.0.0.1."""

    def __init__(self, process: subprocess.Popen, endpoint: str):
        self.process, self.endpoint = process, endpoint
        self.s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )

    @classmethod
    def start(cls, attempts: int = 3, timeout: float = 20.0) -> "MotoServer":
        for _ in range(attempts):
            port = _free_port()
            process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            endpoint = f"http://127.0.0.1:{port}"
            if _answers(process, endpoint, timeout):
                return cls(process, endpoint)
            process.kill()
            process.wait()
        raise MotoUnavailable(f"moto's S3 server did not start ({attempts} attempts)")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def new_bucket(self) -> str:
        name = f"newsroom-{uuid.uuid4().hex[:16]}"
        self.s3.create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def drop_bucket(self, bucket: str) -> None:
        if bucket not in {b["Name"] for b in self.s3.list_buckets()["Buckets"]}:
            return  # a test took it away
        keys = sorted(self.keys(bucket))
        for start in range(0, len(keys), 1000):
            objects = [{"Key": key} for key in keys[start : start + 1000]]
            self.s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
        self.s3.delete_bucket(Bucket=bucket)


def _free_port() -> int:
    # The port is free when asked; another process taking it first only costs an attempt.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(process: subprocess.Popen, endpoint: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=1):  # noqa: S310 (our local server)
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    return False


@dataclass(frozen=True)
class StorageBackend:
    """Where one run of a `storage` test keeps its files: "filesystem" (MEDIA_ROOT) or
    "s3" (a fresh bucket of moto's server)."""

    name: str
    media_root: Path
    server: MotoServer | None = None
    bucket: str | None = None

    def settings(self, **options) -> dict:
        """The default storage to use: Django's file system storage, or production's
        S3Storage on this bucket (with `options`: a custom domain, a location)."""
        if self.server is None:
            return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        return s3_storage(
            bucket_name=self.bucket,
            endpoint_url=self.server.endpoint,
            region_name=REGION,
            **CREDENTIALS,
            **options,
        )

    def stored(self) -> set[str]:
        """Every name stored, read from the folder or the bucket itself, not through Django."""
        if self.server is not None:
            return self.server.keys(self.bucket)
        root = self.media_root
        return (
            {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
            if root.exists()
            else set()
        )

    def served_type(self, name: str) -> str | None:
        """The Content-Type the file is served with: the bucket's own for the object, or
        what a web server guesses from the name (Django's `serve`, nginx)."""
        if self.server is not None:
            return self.server.s3.head_object(Bucket=self.bucket, Key=name)["ContentType"]
        return mimetypes.guess_type(name)[0]

    def allow_public_renditions(self) -> None:
        """The bucket policy the README asks for: anyone may read renditions/*, nothing else."""
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{self.bucket}/renditions/*",
        }
        policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        self.server.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy)

    def __str__(self) -> str:
        return self.name


def fetched(url: str) -> tuple[int, bytes, Message]:
    """What anyone gets at `url`, without credentials: status, body and headers (looked up
    by name in any case)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a test server's URL)
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def stored_names(storage=default_storage, folder: str = "") -> set[str]:
    """Every file name in the storage, through the storage API: the same question asked
    of a folder or a bucket."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder nothing was stored in yet
        return set()
    names = {f"{folder}{name}" for name in files}
    for sub in folders:
        names |= stored_names(storage, f"{folder}{sub}/")
    return names


def stored_name(url: str, storage=default_storage) -> str:
    """The storage name a delivered link points at: what follows the storage's own URL of
    names (MEDIA_URL, or the bucket's endpoint or domain)."""
    marker = "stored-name"
    base = storage.url(marker).removesuffix(marker)
    return url.split(base, 1)[1]
