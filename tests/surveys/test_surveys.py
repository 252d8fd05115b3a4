"""Surveys: the status table, the builder, answering (one per resident, editable until close,
anonymous answers unlinked and final), skip logic, results, export, query counts."""

import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone

from xiachen.households.models import Household, Resident
from xiachen.surveys import services
from xiachen.surveys.models import (
    Answer,
    Participation,
    PendingAnswerSheet,
    Question,
    Survey,
    SurveyResponse,
    SurveyStatus,
)

from ..factories import HouseholdFactory, ResidentFactory


def build(people, tree, *, anonymous=False, open_=True, title="生活需求调查"):
    by = people.manager1
    survey = services.create_survey(by=by, title=title, compounds=[tree.compound1], anonymous=anonymous)
    need = services.add_question(by=by, survey=survey, kind="single", text="家里缺物资吗？", choices=["缺", "不缺"])
    services.add_question(by=by, survey=survey, kind="multiple", text="缺什么？", choices=["米", "菜", "药"],
                          show_if=need, show_if_value="缺")
    services.add_question(by=by, survey=survey, kind="rating", text="对社区服务打分", rating_max=5)
    services.add_question(by=by, survey=survey, kind="number", text="家里几口人", required=False)
    services.add_question(by=by, survey=survey, kind="text", text="其他意见", required=False)
    services.add_question(by=by, survey=survey, kind="date", text="最近一次外出日期", required=False)
    if open_:
        survey = services.open_survey(by=by, survey=survey)
    return survey


def form_data(survey, **answers):
    questions = {q.position: q for q in survey.questions.all()}
    data = {"submission_key": str(uuid.uuid4())}
    for position, value in answers.items():
        data[services.field_name(questions[int(position[1:])])] = value
    return data


def answer(client, survey, **answers):
    data = form_data(survey, **answers)
    return client.post(reverse("resident:survey_answer", args=[survey.public_id]), data), data


def flashes(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- status table -----------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "to", "allowed"), [
    (s, t, t in services.ALLOWED[s]) for s in SurveyStatus.values for t in SurveyStatus.values
])
def test_every_status_move(people, tree, start, to, allowed):
    survey = build(people, tree, open_=False)
    Survey.objects.filter(pk=survey.pk).update(status=start)
    survey.refresh_from_db()
    if allowed:
        assert services.move_survey(by=people.manager1, survey=survey, to=to).status == to
    else:
        with pytest.raises(services.SurveyError):
            services.move_survey(by=people.manager1, survey=survey, to=to)
        survey.refresh_from_db()
        assert survey.status == start


def test_only_the_communitys_manager_builds_and_moves(people, tree):
    survey = build(people, tree, open_=False)
    for user in (people.manager2, people.worker1, people.cadre_user1):
        with pytest.raises(PermissionDenied):
            services.open_survey(by=user, survey=survey)
        with pytest.raises(PermissionDenied):
            services.add_question(by=user, survey=survey, kind="text", text="x")
    with pytest.raises(PermissionDenied):
        services.create_survey(by=people.manager2, title="x", compounds=[tree.compound1])


def test_builder_rules(people, tree):
    survey = build(people, tree, open_=False)
    with pytest.raises(services.SurveyError, match="2 到 20"):
        services.add_question(by=people.manager1, survey=survey, kind="single", text="x", choices=["只有一个"])
    rating = survey.questions.get(kind="rating")
    with pytest.raises(services.SurveyError, match="单选题"):
        services.add_question(by=people.manager1, survey=survey, kind="text", text="x", show_if=rating,
                              show_if_value="1")
    services.open_survey(by=people.manager1, survey=survey)
    with pytest.raises(services.SurveyError, match="不能再修改题目"):
        services.add_question(by=people.manager1, survey=survey, kind="text", text="晚加的题")
    empty = services.create_survey(by=people.manager1, title="空", compounds=[tree.compound1])
    with pytest.raises(services.SurveyError, match="没有题目"):
        services.open_survey(by=people.manager1, survey=empty)


# --- answering --------------------------------------------------------------------------------


def test_answer_edit_until_close_then_refused(client, people, tree, resident1):
    survey = build(people, tree)
    client.force_login(people.resident_user1)
    response, _data = answer(client, survey, q1="缺", q2=["米", "药"], q3="4", q4="3", q5="希望多送菜", q6="2026-03-01")
    assert response.status_code == 302
    participation = Participation.objects.get(survey=survey, resident=resident1)
    values = {a.question.position: a.value for a in participation.response.answers.select_related("question")}
    assert values == {1: "缺", 2: ["米", "药"], 3: 4, 4: "3", 5: "希望多送菜", 6: "2026-03-01"}

    # edit: skip logic drops the hidden question's answer
    response, _data = answer(client, survey, q1="不缺", q2=["菜"], q3="5")
    assert "答卷已修改" in flashes(response)
    assert {a.question.position: a.value for a in Answer.objects.filter(response__survey=survey)} == {1: "不缺", 3: 5}
    assert SurveyResponse.objects.filter(survey=survey).count() == 1

    services.close_survey(by=people.manager1, survey=survey)
    before = list(Answer.objects.filter(response__survey=survey).values_list("question_id", "value"))
    response, _data = answer(client, survey, q1="缺", q2=["米"], q3="1")
    assert "问卷已截止，不能再提交或修改答案" in flashes(response)
    assert list(Answer.objects.filter(response__survey=survey).values_list("question_id", "value")) == before


def test_answers_after_the_closing_time_are_refused(client, people, tree, resident1):
    survey = build(people, tree)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(people.resident_user1)
    response, _data = answer(client, survey, q1="不缺", q3="3")
    assert "问卷已截止，不能再提交或修改答案" in flashes(response)
    assert not SurveyResponse.objects.exists() and not Participation.objects.exists()


def test_double_submission_is_refused_and_changes_nothing(client, people, tree, resident1):
    survey = build(people, tree)
    client.force_login(people.resident_user1)
    data = form_data(survey, q1="不缺", q3="3")
    url = reverse("resident:survey_answer", args=[survey.public_id])
    client.post(url, data)
    second = client.post(url, data | {services.field_name(survey.questions.get(position=3)): "1"})
    assert "这份答卷已经提交过了，请勿重复提交" in flashes(second)
    assert Answer.objects.get(question__position=3).value == 3
    assert Participation.objects.count() == 1 and SurveyResponse.objects.count() == 1


def test_required_and_invalid_answers_are_shown_and_nothing_stored(client, people, tree, resident1):
    survey = build(people, tree)
    client.force_login(people.resident_user1)
    response, _data = answer(client, survey, q1="缺", q3="9", q4="很多")
    assert response.status_code == 200
    body = response.content.decode()
    assert "此题必答" in body and "评分应为 1 到 5 分" in body and "请填写数字" in body
    assert not Participation.objects.exists()


def test_surveys_of_other_compounds_and_drafts_are_not_reachable(client, people, tree, resident1):
    draft = build(people, tree, open_=False)
    other = services.create_survey(by=people.manager2, title="别处", compounds=[tree.compound2])
    client.force_login(people.resident_user1)
    for survey in (draft, other):
        assert client.get(reverse("resident:survey_answer", args=[survey.public_id])).status_code == 404


# --- anonymity ---------------------------------------------------------------------------------


RESIDENT_MODELS = {Resident, Household, Participation, Survey.created_by.field.related_model}


def reachable_models(model, seen=None) -> set:
    """Every model reachable from `model`'s own columns (forward relations), except through the
    survey and its questions, which are shared by every respondent."""
    seen = set() if seen is None else seen
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            target = field.related_model
            if target in (Survey, Question) or target in seen:
                continue
            seen.add(target)
            reachable_models(target, seen)
    return seen


def test_anonymous_answers_have_no_link_to_the_resident(client, people, tree, resident1):
    for model in (SurveyResponse, Answer, PendingAnswerSheet):
        assert reachable_models(model) & RESIDENT_MODELS == set(), model
        names = {f.name for f in model._meta.concrete_fields}
        assert names.isdisjoint({"created_at", "updated_at", "resident", "user", "household", "compound_path"})
        assert isinstance(model._meta.pk, models.UUIDField)  # no insertion order to line up

    survey = build(people, tree, anonymous=True)
    client.force_login(people.resident_user1)
    answer(client, survey, q1="不缺", q3="2")
    participation = Participation.objects.get(survey=survey, resident=resident1)
    assert participation.response_id is None
    assert not SurveyResponse.objects.filter(survey=survey).exists()  # waits for a batch (ADR 1505)
    services.flush_pending(survey_id=survey.pk, final=True)
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    for row in Answer.objects.filter(response__survey=survey).values():
        assert set(row) == {"id", "response_id", "question_id", "value"}
        assert str(resident1.public_id) not in str(row)


def test_anonymous_answers_cannot_be_submitted_twice(client, people, tree, resident1):
    survey = build(people, tree, anonymous=True)
    client.force_login(people.resident_user1)
    answer(client, survey, q1="不缺", q3="2")
    response, _data = answer(client, survey, q1="缺", q2=["米"], q3="5")
    assert "匿名答卷不与您关联，提交后不能修改" in " ".join(flashes(response))
    assert [sheet.answers for sheet in PendingAnswerSheet.objects.all()] == [
        {str(survey.questions.get(position=1).pk): "不缺", str(survey.questions.get(position=3).pk): 2}
    ]


# --- results -----------------------------------------------------------------------------------


def test_results_rates_and_export(client, people, tree, resident1):
    survey = build(people, tree)
    others = [ResidentFactory(household=HouseholdFactory(compound=tree.compound1)) for _ in range(3)]
    services.submit_answers(resident=resident1, survey=survey, values=_values(survey, "缺", ["米"], 5),
                            submission_key=uuid.uuid4())
    services.submit_answers(resident=others[0], survey=survey, values=_values(survey, "不缺", None, 3),
                            submission_key=uuid.uuid4())
    rows = {r["text"]: r for r in services.results(survey)}
    assert rows["家里缺物资吗？"]["counts"] == [1, 1]
    assert rows["缺什么？"]["counts"] == [1, 0, 0]
    assert rows["对社区服务打分"]["counts"] == [0, 0, 1, 0, 1] and rows["对社区服务打分"]["average"] == 4
    assert services.response_rates([survey])[survey.pk] == {"residents": 4, "answered": 2, "rate": 50.0}

    client.force_login(people.manager1)
    page = client.get(reverse("surveys:results", args=[survey.public_id])).content.decode()
    assert 'id="survey-results-data" type="application/json"' in page
    assert "vendor/echarts-6.1.0/echarts.min.js" in page and "<script>" not in page
    data = client.get(reverse("surveys:results_data", args=[survey.public_id])).json()
    assert data["rate"]["answered"] == 2
    export = client.get(reverse("surveys:export", args=[survey.public_id]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    table = list(sheet.values)
    assert table[0][1] == "1. 家里缺物资吗？" and len(table) == 3
    assert all(resident1.name not in str(row) for row in table)


def _values(survey, need, what, score):
    questions = {q.position: q.pk for q in survey.questions.all()}
    values = {questions[1]: need, questions[3]: score}
    if what:
        values[questions[2]] = what
    return values


def test_detail_page_shows_link_and_qr_code(client, people, tree):
    survey = build(people, tree)
    client.force_login(people.manager1)
    body = client.get(reverse("surveys:detail", args=[survey.public_id])).content.decode()
    assert f"/r/surveys/{survey.public_id}/" in body and "data:image/svg+xml;base64," in body


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_staff_survey_list_query_count(client, people, tree, count, django_assert_num_queries):
    for n in range(count):
        build(people, tree, title=f"问卷{n}")
    client.force_login(people.manager1)
    with django_assert_num_queries(9):
        response = client.get(reverse("surveys:list"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_resident_survey_list_query_count(client, people, tree, resident1, count, django_assert_num_queries):
    for n in range(count):
        build(people, tree, title=f"问卷{n}")
    client.force_login(people.resident_user1)
    with django_assert_num_queries(6):
        response = client.get(reverse("resident:surveys"))
    assert len(response.context["surveys"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_answer_page_query_count(client, people, tree, resident1, count, django_assert_num_queries):
    survey = services.create_survey(by=people.manager1, title="q", compounds=[tree.compound1])
    first = services.add_question(by=people.manager1, survey=survey, kind="single", text="a", choices=["x", "y"])
    for n in range(count - 1):
        services.add_question(by=people.manager1, survey=survey, kind="text", text=f"t{n}", show_if=first,
                              show_if_value="x")
    services.open_survey(by=people.manager1, survey=survey)
    client.force_login(people.resident_user1)
    with django_assert_num_queries(8):
        response = client.get(reverse("resident:survey_answer", args=[survey.public_id]))
    assert len(response.context["rows"]) == count
