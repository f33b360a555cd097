"""Renditions as a background job: an upload returns at once, the worker makes the files,
the photo's page shows the progress (jobs/display.py) and reloads when they are ready."""

from PIL import Image, UnidentifiedImageError

from jobs import registry, services
from jobs.models import Job
from media.models import Photo
from media.renditions import services as renditions

KIND = "renditions"


def _sees_photos(user) -> bool:
    return user.has_perm("media.view_photo")


@registry.handler(KIND, label="生成衍生图", permits=_sees_photos)
def make(job: Job, progress) -> dict:
    photo = Photo.objects.filter(pk=job.target_id).first()
    if photo is None:
        raise registry.Permanent("图片已被删除。")
    if not photo.image:
        raise registry.Permanent("图片没有文件。")
    try:
        outcome = renditions.refresh(photo, force=job.params.get("force", False), progress=progress)
    except renditions.PhotoChanged:
        # The file or focal point moved on while this ran: the job started by that save
        # makes the renditions of the newer state.
        return {"superseded": True}
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise registry.Permanent(f"图片文件无法解码：{error}") from error
    return {"made": outcome.made, "kept": outcome.kept, "dropped": outcome.dropped}


def start(photo: Photo, *, by=None, force: bool = False) -> Job:
    """Queue the photo's renditions (made once the caller's transaction commits)."""
    return services.start(KIND, photo, by=by, params={"force": force} if force else {})


def latest(photo: Photo) -> Job | None:
    return Job.objects.latest_of(photo, KIND)
