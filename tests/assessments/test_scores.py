from decimal import Decimal

import pytest

from xiachen.assessments import metrics
from xiachen.assessments.models import Score
from xiachen.assessments.scoring import GradeRule, QuotaError, assign_grades, competition_ranks, composite
from xiachen.assessments.services import (
    AssessmentError,
    compute_scores,
    create_scheme,
    evaluate,
)
from xiachen.assessments.services import (
    assign_grades as grade_round,
)

from .builders import ALL, more_cadres, served_round

DIMENSIONS_ONLY = {"dim:integrity": 20, "dim:ability": 20, "dim:diligence": 20, "dim:results": 30, "dim:probity": 10}


def test_composite_is_exact_and_skips_components_without_data():
    assert composite([(Decimal(60), Decimal(80)), (Decimal(40), Decimal(95))]) == Decimal("86.00")
    # the metric with no data drops out; 60·80 / 60 = 80
    assert composite([(Decimal(60), Decimal(80)), (Decimal(40), None)]) == Decimal("80.00")
    assert composite([(Decimal(100), None)]) is None
    assert composite([(Decimal(1), Decimal(1)), (Decimal(2), Decimal(2))]) == Decimal("1.67")


def test_competition_ranks_share_a_place_on_ties():
    assert competition_ranks([Decimal(80), Decimal(95), Decimal(80), Decimal(70)]) == [2, 1, 2, 4]


def test_score_is_exact_on_constructed_evaluations(served, people, cadre1):
    evaluate(by=people.manager1, round_=served, cadre=cadre1, period="final",
             scores={"integrity": 90, "ability": 80, "diligence": 100, "results": 70, "probity": 95})
    evaluate(by=people.manager1, round_=served, cadre=cadre1, period="2026-12",
             scores={"integrity": 80, "ability": 80, "diligence": 90, "results": 80, "probity": 95})
    [score] = compute_scores(by=people.org_department, round_=served)
    # default scheme: 德15 能15 勤15 绩15 廉10 = 70 % with data; the 30 % of metrics have no source yet.
    # averages: 德85 能80 勤95 绩75 廉95 → (15·85 + 15·80 + 15·95 + 15·75 + 10·95) / 70 = 5975/70 = 85.357…
    # The complaints metric (5 %) has data since residents can name a cadre (ADR 1603): none confirmed,
    # full points → (5975 + 5·100) / 75 = 86.333…
    assert score.total == Decimal("86.33")
    assert score.scheme.version == 1
    rows = {row["component"]: row for row in score.breakdown}
    assert rows["dim:diligence"]["points"] == "95.00"
    assert rows["metric:attendance_rate"]["points"] is None  # shown as 无数据
    assert (score.rank_city, score.rank_agency) == (1, 1)


def test_recomputation_after_a_scheme_change_records_the_new_scheme(served, people, cadre1):
    evaluate(by=people.manager1, round_=served, cadre=cadre1, period="final",
             scores={"integrity": 90, "ability": 80, "diligence": 100, "results": 70, "probity": 95})
    first = compute_scores(by=people.org_department, round_=served)[0]
    scheme = create_scheme(by=people.org_department, name="重绩效", weights=DIMENSIONS_ONLY)
    [again] = compute_scores(by=people.org_department, round_=served)
    # 0.2·90 + 0.2·80 + 0.2·100 + 0.3·70 + 0.1·95 = 84.5
    assert (again.pk, again.total, again.scheme_id) == (first.pk, Decimal("84.50"), scheme.pk)
    assert scheme.version == 2


def test_weights_not_summing_to_100_are_refused(people):
    with pytest.raises(AssessmentError, match="各项权重之和必须为 100%，当前为 90%"):
        create_scheme(by=people.org_department, name="错", weights={"dim:integrity": 50, "dim:ability": 40})


def test_evaluating_a_cadre_who_did_not_serve_there_is_refused(served, people, cadre1):
    with pytest.raises(AssessmentError, match="未在贵单位服务"):
        evaluate(by=people.manager2, round_=served, cadre=cadre1, period="final", scores=ALL)


def test_evaluating_a_cadre_not_in_the_round_is_refused(served, tree, people):
    [stranger] = more_cadres(tree, 1)
    with pytest.raises(AssessmentError, match="未在贵单位服务"):
        evaluate(by=people.manager1, round_=served, cadre=stranger, period="final", scores=ALL)


def test_monthly_evaluation_outside_the_service_is_refused(served, people, cadre1):
    with pytest.raises(AssessmentError, match="派驻期间内"):
        evaluate(by=people.manager1, round_=served, cadre=cadre1, period="2027-03", scores=ALL)


RULES = [
    GradeRule("excellent", "优秀", Decimal(90), 0, 20),
    GradeRule("competent", "称职", Decimal(70), 0, None),
    GradeRule("basically_competent", "基本称职", Decimal(60), 0, None),
    GradeRule("incompetent", "不称职", Decimal(0), 0, None),
]


def test_excellent_is_capped_at_20_percent():
    totals = [Decimal(x) for x in (99, 98, 97, 96, 95, 94, 93, 92, 91, 65)]
    assert assign_grades(RULES, totals) == ["excellent", "excellent"] + ["competent"] * 7 + ["basically_competent"]


def test_ties_at_the_cap_get_the_lower_grade_together():
    totals = [Decimal(x) for x in (99, 95, 95, 80, 80)]  # cap: 1 of 5
    assert assign_grades(RULES, totals) == ["excellent", "competent", "competent", "competent", "competent"]


def test_impossible_quota_is_explained():
    rules = [GradeRule("excellent", "优秀", Decimal(90), 50, 60), *RULES[1:]]
    with pytest.raises(QuotaError, match="“优秀”至少需要 2 人（50%），但只能评定 1 人（达到 90 分的有 1 人）"):
        assign_grades(rules, [Decimal(95), Decimal(80), Decimal(75)])
    with pytest.raises(QuotaError, match="最低比例（30%）高于最高比例（20%）"):
        assign_grades([GradeRule("excellent", "优秀", Decimal(90), 30, 20)], [Decimal(95)])
    capped = [GradeRule(r.code, r.label, r.min_score, 0, 10) for r in RULES]
    with pytest.raises(QuotaError, match="最高名额之和不足"):
        assign_grades(capped, [Decimal(95)] * 5)


def test_round_grades_with_default_quota_and_refuses_impossible_quota(tree, people):
    cadres = more_cadres(tree, 5)
    round_ = served_round(tree, people, cadres_at_1=cadres)
    for cadre, value in zip(cadres, (99, 97, 95, 80, 50), strict=True):
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final",
                 scores=dict.fromkeys(ALL, value))
    compute_scores(by=people.org_department, round_=round_)
    grade_round(by=people.org_department, round_=round_)
    grades = dict(Score.objects.filter(round=round_).values_list("cadre__name", "grade__code"))
    assert list(grades.values()).count("excellent") == 1
    assert grades["干部乙4"] == "incompetent"
    with pytest.raises(AssessmentError, match="等次名额无法满足：“优秀”至少需要 4 人"):
        grade_round(by=people.org_department, round_=round_, quotas={"excellent": (80, 100)})
    assert list(Score.objects.filter(round=round_).values_list("grade__code", flat=True)).count("excellent") == 1


def test_rankings_within_agency_and_city(tree, people):
    audit = more_cadres(tree, 2)
    health = more_cadres(tree, 1, agency=tree.agency2)
    round_ = served_round(tree, people, cadres_at_1=audit + health)
    for cadre, value in zip(audit + health, (80, 70, 90), strict=True):
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=dict.fromkeys(ALL, value))
    compute_scores(by=people.org_department, round_=round_)
    ranks = {s.cadre_id: (s.rank_city, s.rank_agency) for s in Score.objects.filter(round=round_)}
    assert ranks == {audit[0].pk: (2, 1), audit[1].pk: (3, 2), health[0].pk: (1, 1)}


def test_metric_provider_reports_no_data_without_a_source():
    service = metrics.Service(1, 1, (), None, None)
    assert metrics.PROVIDERS["attendance_rate"].value(service) is None
    assert metrics.PROVIDERS["resident_rating"].value(service) is None


def test_rating_hook_counts_residents_ratings(served, people, cadre1):
    def source(service):
        return [5, 4] if service.cadre_id == cadre1.pk else []

    metrics.register_rating_source(source)
    try:
        create_scheme(by=people.org_department, name="只看居民评分", weights={"metric:resident_rating": 100})
        [score] = compute_scores(by=people.org_department, round_=served)
    finally:
        metrics.RATING_SOURCES.remove(source)
    assert score.total == Decimal("90.00")  # average 4.5 of 5


def test_quota_explanations_are_translatable_with_placeholders(monkeypatch):
    from xiachen.assessments import scoring

    monkeypatch.setattr(scoring, "_", lambda message: f"T[{message}]")
    rules = [GradeRule("excellent", "优秀", Decimal(90), 50, 60), *RULES[1:]]
    with pytest.raises(QuotaError) as error:
        assign_grades(rules, [Decimal(95), Decimal(80), Decimal(75)])
    assert str(error.value) == (
        "T[“优秀”至少需要 2 人（50%），但只能评定 1 人（达到 90 分的有 1 人）]"
    )
    with pytest.raises(QuotaError, match=r"^T\[有 2 人（95 分）按现有名额和分数线无法评定等次"):
        assign_grades([GradeRule("excellent", "优秀", Decimal(90), 0, 40), GradeRule("x", "甲", Decimal(100), 0, None)],
                      [Decimal(95), Decimal(95), Decimal(80)])
    with pytest.raises(QuotaError, match=r"^T\[各等次最低人数之和超过参评总人数 1\]$"):
        assign_grades([GradeRule("a", "甲", Decimal(0), 100, None), GradeRule("b", "乙", Decimal(0), 100, None)],
                      [Decimal(1)])


def test_quota_explanation_follows_the_active_language():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(QuotaError) as chinese:
        assign_grades([GradeRule("excellent", "优秀", Decimal(90), 30, 20)], [Decimal(95)])
    assert str(chinese.value) == "“优秀”的最低比例（30%）高于最高比例（20%）"
    with translation.override("en"), pytest.raises(QuotaError) as english:
        assign_grades([GradeRule("excellent", "优秀", Decimal(90), 30, 20)], [Decimal(95)])
    # the catalogue's translation (or the source text while it has none), placeholders filled in
    assert "优秀" in str(english.value) and "30%" in str(english.value) and "20%" in str(english.value)
