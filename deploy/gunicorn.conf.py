"""gunicorn for the 政务信息化项目全生命周期管理系统 (docs/deploy.md).

Behind nginx on the same machine: gunicorn listens on loopback only; nginx terminates HTTPS,
serves /static/ and passes the rest here with X-Forwarded-Proto / X-Forwarded-For.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
wsgi_app = "config.wsgi:application"
# A filing PDF renders in well under a second, a 10,000-project export streams; a request
# still running after two minutes is stuck.
timeout = 120
graceful_timeout = 30
# Requests above these are refused before Django sees them (nginx's limits are the first).
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
# Only nginx on this machine may set the forwarded headers Django trusts (BEHIND_PROXY=1).
forwarded_allow_ips = "127.0.0.1"
