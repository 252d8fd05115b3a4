"""Two gate phones uploading the same batch at once, in opposite orders, each on its own connection."""

import threading
from collections.abc import Callable

from django.db import connections


def upload_both_ways_at_once(upload: Callable[[str, list], list | None], batch: list) -> tuple[dict, list]:
    """Run ``upload(device_id, items)`` for device "a" with ``batch`` and device "b" with it reversed,
    started together at a barrier; returns (results by device, exceptions raised)."""
    start, results, errors = threading.Barrier(2), {}, []

    def run(device: str, items: list) -> None:
        try:
            start.wait()
            results[device] = upload(device, items)
        except Exception as error:  # reported to the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("a", batch)),
        threading.Thread(target=run, args=("b", list(reversed(batch)))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
