"""Background work, run by ``manage.py db_worker``: imports and suggestions.

Tasks take ids, not objects, and read the rows themselves: the worker may
run them long after, and on another machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from newsreader.models import Article, ImportJob

# Suggestions for a large import go in tasks of this many articles, so one
# import does not queue tens of thousands of rows.
SUGGEST_BATCH = 200
# How often a running import writes its progress for the page that polls it.
PROGRESS_EVERY_SECONDS = 0.5


# The importer (trafilatura, feedparser) and the suggester (spaCy) are imported
# in the tasks that use them: the web process, which only queues tasks, would
# otherwise hold their tens of thousands of objects, and every full garbage
# collection there would walk them.


@task()
def run_import(job_id: int) -> dict:
    from newsreader.importing import import_articles, import_upload

    job = ImportJob.objects.get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    last = 0.0

    def progress(done: int, total: int | None) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
            last = time.monotonic()
            ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        if job.upload is not None:
            data = bytes(job.upload)
            summary = import_upload(data, name=job.label, progress=progress)
        else:
            # Never paths on this machine, nor hosts on its network: only
            # what a browser anywhere could fetch.
            summary = import_articles(
                job.urls.split(),
                progress=progress,
                allow_files=False,
                public_only=not settings.IMPORT_ALLOW_PRIVATE_URLS,
            )
    except Exception as error:
        # The importer reports bad records in its summary; this is the rest
        # (the database gone, a bug). The job says so, the worker logs it and
        # the task's row in the admin keeps the traceback.
        job.status, job.error = ImportJob.Status.FAILED, f"The import stopped: {error}"
        job.finished_at = timezone.now()
        job.upload = None
        job.save()
        raise
    job.status, job.summary = ImportJob.Status.DONE, summary.as_dict()
    job.done, job.total = summary.processed, summary.processed
    job.finished_at = timezone.now()
    job.upload = None
    job.save()
    queue_suggestions(summary.article_ids)
    return {
        "imported": len(summary.imported),
        "duplicates": len(summary.duplicates),
        "failed": len(summary.failed),
    }


def queue_suggestions(article_ids: list[int]) -> None:
    """Suggest on newly imported articles, once their rows are committed."""
    for start in range(0, len(article_ids), SUGGEST_BATCH):
        batch = article_ids[start : start + SUGGEST_BATCH]
        transaction.on_commit(lambda batch=batch: suggest.enqueue(batch))


@task()
def suggest(article_ids: list[int]) -> dict:
    from annotations.suggest.store import suggest_articles

    articles = Article.objects.filter(pk__in=article_ids).order_by("pk")
    summary = asdict(suggest_articles(articles=articles))
    _return_free_memory()
    return summary


def _return_free_memory() -> None:
    """Give the memory a batch's parses freed back to the system.

    glibc keeps the heap a batch grew to: the worker stayed at 720 MiB
    after 200 articles, 180 MiB once trimmed. Elsewhere there is no
    ``malloc_trim``, and nothing to do.
    """
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:
        trim(0)


@task()
def heartbeat() -> None:
    """Nothing: that the worker ran it is the news (``newsreader.health``)."""
