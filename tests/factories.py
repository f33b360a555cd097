import datetime as dt

import factory
from factory.django import DjangoModelFactory

from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    IssuePhoto,
    Section,
    Timeline,
    TimelineItem,
)
from articles.publications.publishing import publish_issue
from articles.workflow import ArticleStatus
from media.credits import CreditAction, CreditRole
from media.models import Photo, PhotoCredit


class ContributorFactory(DjangoModelFactory):
    class Meta:
        model = Contributor
        django_get_or_create = ("name", "disambiguation")

    name = factory.Sequence(lambda n: f"记者{n}")
    disambiguation = ""


class IssueFactory(DjangoModelFactory):
    class Meta:
        model = Issue

    title = factory.Sequence(lambda n: f"专题{n}")
    slug = factory.Sequence(lambda n: f"zhuan-ti-{n}")
    issue_date = dt.date(2022, 6, 20)


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    issue = factory.SubFactory(IssueFactory)
    position = factory.Sequence(lambda n: n + 1)
    headline = factory.Sequence(lambda n: f"稿件标题{n}")
    slug = factory.Sequence(lambda n: f"gao-jian-{n}")
    # Ready for the duty chief: publishing the issue publishes it.
    status = ArticleStatus.APPROVED


class PhotoFactory(DjangoModelFactory):
    class Meta:
        model = Photo
        skip_postgeneration_save = True

    image = factory.django.ImageField(width=64, height=48, color="red", format="JPEG")
    caption = factory.Sequence(lambda n: f"图片说明{n}")
    alt_text = factory.Sequence(lambda n: f"替代文字{n}")
    credit_action = CreditAction.PHOTOGRAPHED

    @factory.post_generation
    def renditions(photo, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook signature
        """Made as the renditions job would (a published photo has them); `renditions=False`
        for a photo whose job has not run yet."""
        if create and extracted is not False:
            from media.renditions import services

            services.refresh(photo)


class PhotoCreditFactory(DjangoModelFactory):
    class Meta:
        model = PhotoCredit

    photo = factory.SubFactory(PhotoFactory)
    contributor = factory.SubFactory(ContributorFactory)
    role = CreditRole.STAFF_REPORTER


class BylineFactory(DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    contributor = factory.SubFactory(ContributorFactory)
    role = CreditRole.STAFF_REPORTER


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    speaker_name = "林国荣"
    speaker_title = "村党委书记"
    headline = "党建统领"


class BlockFactory(DjangoModelFactory):
    class Meta:
        model = Block

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = Block.Kind.PARAGRAPH
    text = factory.Sequence(lambda n: f"第{n}段正文。")


class IssuePhotoFactory(DjangoModelFactory):
    class Meta:
        model = IssuePhoto

    issue = factory.SubFactory(IssueFactory)
    photo = factory.SubFactory(PhotoFactory)


class TimelineFactory(DjangoModelFactory):
    class Meta:
        model = Timeline

    issue = factory.SubFactory(IssueFactory)
    title = "大事记"


class TimelineItemFactory(DjangoModelFactory):
    class Meta:
        model = TimelineItem

    timeline = factory.SubFactory(TimelineFactory)
    date = dt.date(2012, 1, 1)
    text = factory.Sequence(lambda n: f"第{n}件大事。")


class CorrectionFactory(DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "本报6月20日所刊稿件中，“实满镇”应为“石门镇”，特此更正。"


def published(issue, **kwargs):
    """Publish `issue` as the operator would (`publish_issue` with no user); returns the issue."""
    publish_issue(issue, **kwargs)
    issue.refresh_from_db()
    return issue
