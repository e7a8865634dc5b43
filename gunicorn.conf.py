"""Gunicorn's settings for this app. Gunicorn reads this file from the
directory it starts in: the repository root, where ``manage.py serve``
starts it too.
"""

# Load the app once, in the master, then fork the workers: they share its
# memory instead of each loading a copy (newsreader/wsgi.py freezes the
# garbage collector's view of it, so collections do not copy the pages).
# Five workers used 356 MiB (PSS) without this and 201 MiB with it.
preload_app = True
