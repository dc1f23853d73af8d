import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

# Production without a key does not start (gunicorn runs no system checks): a known key would
# let anyone forge sessions and password-reset tokens.
if not settings.DEBUG and not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("未设置 SECRET_KEY：生产环境（DEBUG=0）必须由环境变量 SECRET_KEY 提供密钥。")
