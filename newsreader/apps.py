from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NewsreaderConfig(AppConfig):
    name = "newsreader"
    verbose_name = "Reading"


class CurationAdminConfig(admin_apps.AdminConfig):
    default = False  # "newsreader" in INSTALLED_APPS means the app above
    default_site = "newsreader.sites.CurationSite"
