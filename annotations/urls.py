from django.urls import path

from annotations import views

app_name = "annotations"

article = "articles/<int:pk>/"

urlpatterns = [
    path(f"{article}mentions/", views.mention_create, name="mention-create"),
    path(
        f"{article}mentions/<int:span_pk>/", views.mention_update, name="mention-update"
    ),
    path(f"{article}quotes/", views.quote_create, name="quote-create"),
    path(f"{article}quotes/<int:quote_pk>/", views.quote_update, name="quote-update"),
    path(
        f"{article}quotes/<int:quote_pk>/parts/",
        views.quote_part_create,
        name="quote-part-create",
    ),
    path(f"{article}quotes/<int:quote_pk>/cue/", views.quote_cue, name="quote-cue"),
    path(
        f"{article}quotes/<int:quote_pk>/delete/",
        views.quote_delete,
        name="quote-delete",
    ),
    path(f"{article}spans/<int:span_pk>/move/", views.span_move, name="span-move"),
    path(
        f"{article}spans/<int:span_pk>/delete/", views.span_delete, name="span-delete"
    ),
    path(f"{article}undo/<str:token>/", views.undo, name="undo"),
    path(
        f"{article}suggestions/<int:span_pk>/accept/",
        views.suggestion_accept,
        name="suggestion-accept",
    ),
    path(
        f"{article}suggestions/<int:span_pk>/reject/",
        views.suggestion_reject,
        name="suggestion-reject",
    ),
    path(
        f"{article}suggestions/decide/",
        views.suggestions_decide,
        name="suggestions-decide",
    ),
    path(f"{article}review/submit/", views.review_submit, name="review-submit"),
    path(f"{article}picker/", views.entity_picker, name="entity-picker"),
    path(
        f"{article}annotations.jsonld",
        views.annotations_jsonld,
        name="annotations-jsonld",
    ),
    path(f"{article}adjudicate/", views.article_adjudicate, name="article-adjudicate"),
    path(
        f"{article}reviews/<int:review_pk>/reopen/",
        views.review_reopen,
        name="review-reopen",
    ),
    path("curation/agreement/", views.agreement_report, name="agreement-report"),
    path("curation/assign/", views.assign_articles, name="assign-articles"),
    path("my-work/", views.my_work, name="my-work"),
    path("quotes/", views.quote_explorer, name="quote-explorer"),
    path("quotes.csv", views.quotes_csv, name="quotes-csv"),
    path("stats/", views.stats, name="stats"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
]
