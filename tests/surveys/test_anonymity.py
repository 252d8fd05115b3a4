"""Anonymous answers cannot be joined to participations (ADR 1505): not by a column, the order of ids,
the physical row order (SQLite rowid, PostgreSQL ctid), the writing transaction (PostgreSQL xmin) or a
timestamp. Sheets wait in a pool and reach the results in shuffled batches of their own."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from xiachen.surveys import services
from xiachen.surveys.models import Answer, Participation, PendingAnswerSheet, Survey, SurveyResponse

from ..factories import HouseholdFactory, ResidentFactory
from .test_surveys import build


@pytest.fixture
def batch_of_three(settings):
    settings.XIACHEN_SURVEY_ANONYMITY_BATCH = 3


def _residents(tree, n):
    return [ResidentFactory(household=HouseholdFactory(compound=tree.compound1)) for _ in range(n)]


def _answer(survey, resident, opinion: str):
    """Each resident writes a different opinion, so a test can tell whose sheet a response is."""
    questions = {q.position: q.pk for q in survey.questions.all()}
    values = {questions[1]: "不缺", questions[3]: 4, questions[5]: opinion}
    return services.submit_answers(resident=resident, survey=survey, values=values, submission_key=uuid.uuid4())


def _opinions(survey) -> dict:
    """{response id: opinion} of the survey's written responses."""
    return dict(Answer.objects.filter(response__survey=survey, question__position=5).values_list("response_id",
                                                                                                    "value"))


def test_a_sheet_waits_in_the_pool_until_a_batch_is_full(people, tree, batch_of_three,
                                                         django_capture_on_commit_callbacks):
    survey = build(people, tree, anonymous=True)
    first, second, third = _residents(tree, 3)
    for resident, opinion in ((first, "一"), (second, "二")):
        with django_capture_on_commit_callbacks(execute=True):
            _answer(survey, resident, opinion)
    assert not SurveyResponse.objects.filter(survey=survey).exists()
    assert services.pending_count(survey) == 2
    assert services.response_rates([survey])[survey.pk]["answered"] == 2  # participation counts at once

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _answer(survey, third, "三")
    assert len(callbacks) == 1  # the flush runs after the answer's transaction, not inside it
    assert sorted(_opinions(survey).values()) == ["一", "三", "二"]
    assert services.pending_count(survey) == 0
    assert {r.recorded_on for r in SurveyResponse.objects.filter(survey=survey)} == {timezone.localdate()}


def test_closing_moves_the_rest_and_rewrites_every_sheet_in_one_batch(people, tree, batch_of_three,
                                                                      django_capture_on_commit_callbacks):
    survey = build(people, tree, anonymous=True)
    for n, resident in enumerate(_residents(tree, 4)):
        with django_capture_on_commit_callbacks(execute=True):
            _answer(survey, resident, f"意见{n}")
    first_batch = set(_opinions(survey))
    assert len(first_batch) == 3 and services.pending_count(survey) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.close_survey(by=people.manager1, survey=survey)
    after = _opinions(survey)
    assert sorted(after.values()) == ["意见0", "意见1", "意见2", "意见3"]
    assert first_batch.isdisjoint(after)  # the last sheet hides among all four, not among one
    assert not PendingAnswerSheet.objects.exists()


def test_results_show_written_sheets_and_say_how_many_wait(client, people, tree, batch_of_three, resident1):
    survey = build(people, tree, anonymous=True)
    _answer(survey, resident1, "一")
    client.force_login(people.manager1)
    page = client.get(reverse("surveys:results", args=[survey.public_id])).content.decode()
    assert "另有 1 份匿名答卷正在等待汇总" in page and "凑满 3 份或问卷截止后" in page
    data = client.get(reverse("surveys:results_data", args=[survey.public_id])).json()
    assert data["pending"] == 1 and data["results"][0]["answered"] == 0


def test_the_scheduled_job_moves_full_batches_and_everything_after_the_deadline(people, tree, batch_of_three):
    open_survey, ended = build(people, tree, anonymous=True), build(people, tree, anonymous=True, title="已过期")
    residents = _residents(tree, 3)
    for resident in residents[:2]:
        _answer(open_survey, resident, "未满")
    _answer(ended, residents[2], "最后一份")
    Survey.objects.filter(pk=ended.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call_command("flush_survey_answers", stdout=None)
    assert services.pending_count(open_survey) == 2 and not _opinions(open_survey)
    assert list(_opinions(ended).values()) == ["最后一份"]


def test_named_surveys_are_written_at_once_as_before(people, tree, resident1):
    survey = build(people, tree)
    participation, _created = _answer(survey, resident1, "实名")
    assert participation.response_id is not None and not PendingAnswerSheet.objects.exists()
    assert services.flush_pending(survey_id=survey.pk, final=True) == 0


def test_the_answer_page_tells_the_resident_how_anonymity_is_protected(client, people, tree, batch_of_three):
    survey = build(people, tree, anonymous=True)
    client.force_login(people.resident_user1)
    page = client.get(reverse("resident:survey_answer", args=[survey.public_id])).content.decode()
    assert "我们如何保护您的匿名" in page
    assert "凑满至少 3 份" in page and "只记日期，不记具体时间" in page


def test_the_order_sheets_are_written_in_comes_from_the_system_random_generator():
    import secrets

    assert isinstance(services._random, secrets.SystemRandom)
    items = list(range(50))
    services._shuffle(items)
    assert sorted(items) == list(range(50))


def test_no_column_of_a_response_can_hold_an_identity_or_a_time():
    for model in (SurveyResponse, Answer, PendingAnswerSheet):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateTimeField | models.TimeField | models.AutoField), field
            assert not (field.is_relation and field.related_model not in {Survey, SurveyResponse,
                                                                          services.Question}), field
        assert isinstance(model._meta.pk, models.UUIDField) and model._meta.pk.default is uuid.uuid4


def _physical(table: str, survey_id: int) -> list[tuple]:
    """(id, writing transaction or None) in the order the database stores the rows."""
    if connection.vendor == "postgresql":
        sql = f"SELECT id, xmin::text FROM {table} WHERE survey_id = %s ORDER BY ctid"  # noqa: S608
    else:
        sql = f"SELECT id, NULL FROM {table} WHERE survey_id = %s ORDER BY rowid"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [survey_id])
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_nothing_in_the_database_joins_responses_to_participations(people, tree, batch_of_three, monkeypatch):
    """Six residents answer, each in a transaction of their own, as in production. A fixed
    permutation stands in for the random shuffle so the physical order can be checked exactly."""
    monkeypatch.setattr(services, "_shuffle", lambda sheets: sheets.sort(key=lambda s: sorted(map(str, s.values())),
                                                                        reverse=True))
    survey = build(people, tree, anonymous=True)
    residents = _residents(tree, 6)
    for n, resident in enumerate(residents):
        _answer(survey, resident, f"居民{n}")  # commits; the third and sixth trigger a flush

    participations = _physical("surveys_participation", survey.pk)
    responses = _physical("surveys_surveyresponse", survey.pk)
    assert len(participations) == len(responses) == 6 and not PendingAnswerSheet.objects.exists()
    opinion = {uuid.UUID(str(pk)): text for pk, text in _opinions(survey).items()}
    by_participation = [f"居民{n}" for n in range(6)]  # participations: submission order, integer ids
    assert [p.resident_id for p in Participation.objects.filter(survey=survey).order_by("id")] == [
        r.pk for r in residents
    ]
    # Physical order of the responses is the shuffle's within each batch, not the submission order.
    physical = [opinion[uuid.UUID(str(pk))] for pk, _xid in responses]
    assert physical == ["居民2", "居民1", "居民0", "居民5", "居民4", "居民3"] != by_participation
    # No shared key: response ids are random UUIDs, participation ids integers with no response column.
    assert all(uuid.UUID(str(pk)).version == 4 for pk, _xid in responses)
    assert set(Participation.objects.filter(survey=survey).values_list("response_id", flat=True)) == {None}
    # No shared time: responses carry only the day.
    assert {r.recorded_on for r in SurveyResponse.objects.filter(survey=survey)} == {timezone.localdate()}
    if connection.vendor == "postgresql":
        response_xids = [xid for _pk, xid in responses]
        assert set(response_xids).isdisjoint(xid for _pk, xid in participations)
        assert len(set(response_xids[:3])) == len(set(response_xids[3:])) == 1  # one transaction per batch
