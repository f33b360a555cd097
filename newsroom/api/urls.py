"""The v1 URL table: every public endpoint in one place."""

from django.urls import path, register_converter

from articles.api import export, preview, views
from jobs import api as jobs
from newsroom.converters import RowIdConverter

app_name = "v1"
register_converter(RowIdConverter, "row_id")

urlpatterns = [
    path("issues/", views.IssueListView.as_view(), name="issue-list"),
    path("issues/<slug:slug>/export/", export.IssueExportView.as_view(), name="issue-export"),
    path("issues/<slug:slug>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path("articles/<row_id:pk>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("preview/<str:token>/", preview.PreviewView.as_view(), name="preview"),
    path("jobs/<int:pk>/", jobs.JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/download/", jobs.JobDownloadView.as_view(), name="job-download"),
]
