from django.contrib import admin
from django.urls import include, path

from annotations import views as annotation_views
from newsreader import views
from newsreader.api import api
from newsreader.health import healthz
from newsreader.signin import SignInView

reading = [
    path("", views.article_list, name="article-list"),
    # The article page is the annotation workspace, drawn by the annotations app.
    path("articles/<int:pk>/", annotation_views.article_detail, name="article-detail"),
    path("articles/<int:pk>/body.txt", views.article_text, name="article-text"),
    path("entities/", views.entity_list, name="entity-list"),
    path(
        "entities/<slug:slug>/",
        annotation_views.entity_detail,
        name="entity-detail",
    ),
]

urlpatterns = [
    path("", include((reading, "newsreader"))),
    path("", include("annotations.urls")),
    # Before Django's own, so that signing in is throttled.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
    path("healthz", healthz, name="healthz"),
    path("account/token/", views.api_token, name="api-token"),
    path("api/", api.urls),
]

handler400 = "newsreader.views.bad_request"
handler404 = "newsreader.views.page_not_found"
handler500 = "newsreader.views.server_error"
