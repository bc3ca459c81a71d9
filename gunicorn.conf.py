"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (the app reads its own MSO_ACADEMY_* settings).

The app is stateless: sessions are signed cookies revoked through a server-side token, files live in
MSO_ACADEMY_UPLOADS_DIR, rate limits in Redis when MSO_ACADEMY_REDIS_URL is set. So any number of these servers can
run behind one load balancer on one PostgreSQL database.
"""

import os

wsgi_app = "mso_academy:create_app()"
bind = os.environ.get("MSO_ACADEMY_BIND", "127.0.0.1:8000")
# Threads serve requests that wait on the database; processes use the cores (argon2 hashing is CPU-bound).
worker_class = "gthread"
workers = int(os.environ.get("MSO_ACADEMY_WORKERS", str((os.cpu_count() or 1) * 2)))
threads = int(os.environ.get("MSO_ACADEMY_THREADS", "4"))
timeout = int(os.environ.get("MSO_ACADEMY_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks never build up.
max_requests = 5000
max_requests_jitter = 500
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("MSO_ACADEMY_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
logger_class = "mso_academy.serving.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
