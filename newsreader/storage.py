from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's storage, with the imports between JavaScript modules
    pointed at the hashed file names too: a page that loads the new
    ``main.js`` never runs it with a module cached from before."""

    support_js_module_import_aggregation = True
