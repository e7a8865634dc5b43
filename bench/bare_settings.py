"""Settings for bench/api.py: the app's own, with a bare view beside it."""

from newsreader.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
