import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsreader.settings")

application = get_wsgi_application()

# Import the views now, then take everything loaded so far out of the
# garbage collector's sight. A full collection otherwise walks those few
# hundred thousand objects in the middle of some request: 30 ms added to
# one in ten workspace pages of a long article (bench/workspace.py).
get_resolver().url_patterns  # noqa: B018 - imported for its side effect
gc.freeze()
