"""The v1 URL table: every public endpoint in one place."""

from django.urls import path

from articles.api import preview, views

app_name = "v1"

urlpatterns = [
    path("issues/", views.IssueListView.as_view(), name="issue-list"),
    path("issues/<slug:slug>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("preview/<str:token>/", preview.PreviewView.as_view(), name="preview"),
]
