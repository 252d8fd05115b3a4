"""Large imports (issue 17 items 3–4): previewed and committed by the worker with progress, a lost
worker leaves the upload failed and retryable, memory bounded by chunks, and the commit staged so
other writers are not locked out and a failure stores nothing. ADR 1711, 1712."""

import os
import socket
import threading

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse

from xiachen.cadres.enums import Rank, Sex
from xiachen.cadres.importers import CADRE_IMPORTER
from xiachen.cadres.models import Cadre
from xiachen.core import staging
from xiachen.core.models import ImportStatus, PendingImport, StagedImportBatch
from xiachen.core.table_import import PREVIEW_ROWS
from xiachen.ops.models import TaskLease
from xiachen.org.models import Unit

from ..excel_helpers import cadre_sheet, cadre_values, xlsx

ROWS = 7


def cadres_file(count: int = ROWS, overrides: dict | None = None) -> bytes:
    """`count` valid cadre rows; `overrides` {sequence: {header: value}}."""
    rows = [cadre_values(index, **(overrides or {}).get(index, {})) for index in range(1, count + 1)]
    return xlsx(cadre_sheet(*rows))


@pytest.fixture
def small_limits(settings, monkeypatch):
    """A "large" file is anything above 3 rows; rows are validated and staged 2 at a time."""
    settings.XIACHEN_IMPORT_INLINE_ROWS = 3
    monkeypatch.setattr(CADRE_IMPORTER, "chunk_rows", 2)


def test_large_file_is_previewed_and_committed_by_the_worker(client, people, small_limits,
                                                             django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    url = reverse("cadres:import")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": _upload(cadres_file())})
    assert response.status_code == 302  # handed to the worker (the immediate backend ran it on commit)
    pending = PendingImport.objects.get()
    assert (pending.status, pending.total_rows) == (ImportStatus.READY, ROWS)
    assert not TaskLease.objects.exists()

    page = client.get(url)  # coming back: the page shows the kept preview
    assert page.context["preview"].total_rows == ROWS
    assert f"确认导入 {ROWS} 行" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "confirm", "pending": pending.public_id})
    assert response.status_code == 302
    assert Cadre.objects.filter(name__startswith="测试").count() == ROWS
    pending.refresh_from_db()
    assert (pending.status, pending.created_count, pending.content) == (ImportStatus.DONE, ROWS, "")
    assert not StagedImportBatch.objects.exists()
    progress = client.get(url, {"progress": pending.public_id})
    assert progress["HX-Refresh"] == "true"  # finished: the polling page reloads itself
    assert f"已导入 {ROWS} 行" in client.get(url).content.decode()


def test_page_polls_progress_while_the_worker_runs(client, people, settings):
    settings.XIACHEN_IMPORT_INLINE_BYTES = 1000  # large by size: only the header is read in the request
    client.force_login(people.org_department)
    url = reverse("cadres:import")
    client.post(url, {"file": _upload(cadres_file(2))})  # on_commit not run: the task waits in the queue
    pending = PendingImport.objects.get()
    assert pending.status == ImportStatus.PREVIEWING
    fragment = client.get(url, {"progress": pending.public_id})
    assert "HX-Refresh" not in fragment
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and "可以离开本页" in body


def test_a_killed_worker_leaves_the_upload_failed_and_retryable(client, people, small_limits,
                                                                django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    url = reverse("cadres:import")
    client.post(url, {"file": _upload(cadres_file())})
    pending = PendingImport.objects.get()
    # The worker took the task, then died (kill -9): its lease names a process that no longer exists.
    TaskLease.objects.update(state=TaskLease.RUNNING, holder=f"{socket.gethostname()}:{_dead_pid()}")
    page = client.get(url)
    pending.refresh_from_db()
    assert pending.status == ImportStatus.FAILED
    assert "后台处理进程已停止" in pending.progress_note and "可以重试" in pending.progress_note
    assert 'id="import-retry"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "retry", "pending": pending.public_id})
    pending.refresh_from_db()
    assert (pending.status, pending.total_rows) == (ImportStatus.READY, ROWS)


def test_a_lost_commit_stores_nothing_and_drops_its_staged_rows(people, small_limits):
    from xiachen.core import import_jobs

    pending = _ready_upload(people, cadres_file())
    import_jobs.start(by=people.org_department, pending=pending, phase="commit")  # queued; worker never ran
    stager = staging.Stager(pending)
    stager.add(Cadre(name="半截"))  # what a worker killed half-way through staging leaves behind
    stager.flush()
    import_jobs.interrupted(pending_id=pending.pk, reason="后台处理进程已停止", take=lambda: True)
    pending.refresh_from_db()
    assert pending.status == ImportStatus.FAILED and pending.content
    assert not StagedImportBatch.objects.exists() and not Cadre.objects.filter(name__startswith="测试").exists()


def test_preview_holds_one_chunk_of_rows_and_shows_the_first(people, settings, monkeypatch):
    """Memory is bounded by rows held, not by the file: every chunk handed to `validate` has at most
    `chunk_rows` rows, and the preview keeps PREVIEW_ROWS of them."""
    monkeypatch.setattr(CADRE_IMPORTER, "chunk_rows", 50)
    seen = []
    original = CADRE_IMPORTER.validate

    def validate(*, by, rows, state):
        seen.append(len(rows))
        return original(by=by, rows=rows, state=state)

    monkeypatch.setattr(CADRE_IMPORTER, "validate", validate)
    count = PREVIEW_ROWS + 60
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=cadres_file(count), filename="a.xlsx")
    assert preview.total_rows == count and preview.ok
    assert len(preview.rows) == PREVIEW_ROWS and max(seen) == 50 and sum(seen) == count


def test_duplicate_ids_are_found_across_chunks(people, small_limits):
    data = cadres_file(5, {5: {"身份证号": cadre_values(1)["身份证号"]}})
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=data, filename="a.xlsx")
    assert [(error.row, error.message) for error in preview.errors] == [(6, "身份证号与第2行重复")]


@pytest.mark.django_db(transaction=True)
def test_other_writers_get_in_during_a_commit_and_a_conflict_stores_nothing(people, small_limits, monkeypatch):
    """Between staged batches no transaction is open: a writer elsewhere (here: someone storing a
    cadre with the ID number of the file's last row, after it was validated) gets the database at
    once, on SQLite too. The final transaction then hits the unique ID index and rolls back: none of
    the file's rows is stored, the staged batches are gone."""
    conflicting = cadre_values(ROWS)
    agency = Unit.objects.get(code=conflicting["派出单位代码"])
    written = []

    def write_elsewhere() -> None:
        try:
            Cadre.objects.create(name="别处写入", sex=Sex.MALE, agency=agency, agency_path=agency.path,
                                 rank=Rank.values[0], phone="13700009999", id_number=conflicting["身份证号"])
            written.append(True)
        finally:
            connection.close()

    calls = []
    original = staging.Stager.flush

    def flush(self):
        original(self)
        calls.append(connection.in_atomic_block)
        if len(calls) == (ROWS + 1) // 2:  # after the last staged batch, before the final transaction
            writer = threading.Thread(target=write_elsewhere)
            writer.start()
            writer.join(timeout=60)

    monkeypatch.setattr(staging.Stager, "flush", flush)
    with pytest.raises(IntegrityError):
        CADRE_IMPORTER.commit(by=people.org_department, data=cadres_file(), filename="a.xlsx")
    assert written == [True] and calls and not any(calls)
    assert Cadre.objects.filter(name="别处写入").exists() and not Cadre.objects.filter(name__startswith="测试").exists()
    assert not StagedImportBatch.objects.exists() and not PendingImport.objects.exists()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cadres.xlsx", data)


def _ready_upload(people, data: bytes) -> PendingImport:
    from xiachen.core.imports import stash_upload

    pending = stash_upload(by=people.org_department, kind="cadres", data=data, filename="a.xlsx")
    PendingImport.objects.filter(pk=pending.pk).update(status=ImportStatus.READY, total_rows=ROWS)
    pending.refresh_from_db()
    return pending


def _dead_pid() -> int:
    """A process id that existed and is gone."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
