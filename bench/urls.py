"""The site's URLs plus the bare baseline page (bench/baseline.py)."""

from bench.baseline import URLS
from config.urls import urlpatterns as site

urlpatterns = URLS + list(site)
