"""gunicorn settings for xiachen (used by deploy/systemd/xiachen-web.service and bench/load_gate.py).

nginx terminates TLS and proxies to this address; every value can be overridden from the env file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads overlap the database round trips of the gate sync; processes use the cores.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # report generation runs in the task worker, not here
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then: bounds any slow leak
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # "-": stdout → journald; "": off
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
capture_output = errorlog != "-"  # Django's log lines (stderr of the workers) go to the same file
# The client address nginx saw; no query strings: a lookup's parameters may carry a phone's last digits.
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
proc_name = "xiachen"
control_socket_disable = True  # systemd manages the process; no control socket in the home directory

# Load Django and every view module once in the master, then fork: workers start at once and share
# the memory. A code upgrade therefore needs `systemctl restart`, not a HUP reload.
preload_app = True


def when_ready(server):
    """Import the URLconf, and with it every view and API module, before the workers are forked:
    otherwise the first request of each worker waits for those imports (seconds)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


def on_starting(server):
    """Run Django's system checks before binding: a production site configured with a demo stand-in
    (xiachen/ops/checks.py) or any other Error-level problem refuses to start instead of serving."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("check")
