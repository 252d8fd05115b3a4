"""The month's errands with their timelines, a survey per street with answers, and the receiving
units' monthly evaluations of the cadres who arrived."""

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np
from django.db import transaction
from django.utils import timezone

from xiachen.assessments.models import Dimension, DimensionScore, Evaluation
from xiachen.deployments.enums import MatchStatus
from xiachen.errands.enums import ErrandKind, ErrandStatus
from xiachen.errands.models import Errand, ErrandEvent
from xiachen.surveys.models import Answer, Participation, Question, QuestionKind, Survey, SurveyResponse, SurveyStatus

from .activity import Context
from .bulk import insert_rows, next_id, reset_sequences, utc_text
from .generator import split

DAYTIME = np.array([0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1, 3, 6, 8, 8, 7, 5, 5, 6, 6, 6, 5, 5, 4, 3, 2, 1, 0.3])
DAYTIME = DAYTIME / DAYTIME.sum()
ERRAND_KINDS = {
    ErrandKind.GROCERIES: 35,
    ErrandKind.MEDICINE: 20,
    ErrandKind.MEAL: 15,
    ErrandKind.GARBAGE: 15,
    ErrandKind.STATIONERY: 5,
    ErrandKind.OTHER: 10,
}
ERRAND_DETAILS = {
    ErrandKind.GROCERIES: ["代购蔬菜、鸡蛋和大米", "代购牛奶和水果", "代购食用油、挂面", "代购猪肉和青菜"],
    ErrandKind.MEDICINE: ["代购降压药（硝苯地平）", "代购降糖药，需带医保卡", "代购感冒药和体温计"],
    ErrandKind.MEAL: ["独居老人午餐送餐", "隔离户三餐送餐", "送热饭到家门口"],
    ErrandKind.GARBAGE: ["隔离户生活垃圾清运", "大件垃圾清运"],
    ErrandKind.STATIONERY: ["孩子网课用作业本和笔", "打印学校作业"],
    ErrandKind.OTHER: ["帮忙充值电费", "帮忙取快递", "陪同老人就医挂号"],
}
ERRAND_FIELDS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "household_id",
    "compound_path",
    "resident_id",
    "kind",
    "details",
    "prescription_note",
    "status",
    "requested_by_id",
    "submission_key",
    "assignee_id",
    "cost",
    "payment_note",
    "rating",
    "comment",
    "delivered_at",
    "finished_at",
]


def daily_counts(ctx: Context, total: int) -> list[int]:
    return split(total, [1.0] * ctx.month.days)


def draw_moments(ctx: Context, day_index: int, count: int) -> tuple[list[int], list[datetime]]:
    """Households (weighted by size) and times (daytime curve) of `count` requests on one day, by time."""
    rng = ctx.np_rng
    weights = np.cumsum(ctx.city.household_size)
    households = np.searchsorted(weights / weights[-1], rng.random(count), side="right")
    seconds = np.sort(rng.choice(24, size=count, p=DAYTIME) * 3600 + rng.integers(0, 3600, count))
    start = ctx.month.day_start(day_index)
    return households.tolist(), [start + timedelta(seconds=s) for s in seconds.tolist()]


# --- errands ----------------------------------------------------------------------------------------


def write_errands(ctx: Context) -> Counter:
    counts: Counter = Counter()
    next_errand = next_id(Errand)
    for day_index, count in enumerate(daily_counts(ctx, ctx.volume.errands)):
        errands, events = [], []
        for household, created in zip(*draw_moments(ctx, day_index, count), strict=True):
            errand, timeline = errand_row(ctx, next_errand, household, created)
            errands.append(errand)
            events += timeline
            next_errand += 1
        with transaction.atomic():
            insert_rows(Errand, ERRAND_FIELDS, errands)
            insert_rows(ErrandEvent, ["errand_id", "at", "by_id", "from_status", "to_status", "note"], events)
        counts.update({"errands": len(errands), "errand_events": len(events)})
        counts.update(f"errands.{row[10]}" for row in errands)
    reset_sequences(Errand, ErrandEvent)
    return counts


def errand_steps(ctx: Context, created: datetime) -> list[tuple[str, datetime]]:
    """The statuses an errand passes through and when, cut at "now"; one in fifty gets stuck open."""
    rng = ctx.rng
    if rng.random() < 0.06:
        cancelled = created + timedelta(minutes=rng.uniform(5, 120))
        return [(ErrandStatus.REQUESTED, created), (ErrandStatus.CANCELLED, cancelled)]
    accepted = created + timedelta(minutes=3 + rng.expovariate(1 / 30))
    started = accepted + timedelta(minutes=5 + rng.expovariate(1 / 20))
    delivered = started + timedelta(minutes=rng.uniform(30, 240))
    if rng.random() < 0.75:
        final = (ErrandStatus.CONFIRMED, delivered + timedelta(minutes=rng.uniform(10, 1200)))
    else:
        final = (ErrandStatus.CLOSED, delivered + timedelta(hours=48))
    steps = [
        (ErrandStatus.REQUESTED, created),
        (ErrandStatus.ACCEPTED, accepted),
        (ErrandStatus.IN_PROGRESS, started),
        (ErrandStatus.DELIVERED, delivered),
        final,
    ]
    if rng.random() < 0.02:
        steps = steps[: rng.randint(1, 3)]
    return [(status, at) for status, at in steps if at <= ctx.month.now]


def errand_row(ctx: Context, errand_id: int, household: int, created: datetime) -> tuple[tuple, list[tuple]]:
    rng, city = ctx.rng, ctx.city
    compound = int(city.household_compound[household])
    staff = city.staff_of(city.compound_community[compound])
    requester, assignee = rng.choice(staff), rng.choice(staff)
    kind = rng.choices(list(ERRAND_KINDS), weights=list(ERRAND_KINDS.values()))[0]
    steps = errand_steps(ctx, created)
    status, last = steps[-1]
    cancelled = status == ErrandStatus.CANCELLED
    times = dict(steps)
    delivered = times.get(ErrandStatus.DELIVERED)
    finished = last if status in (ErrandStatus.CONFIRMED, ErrandStatus.CLOSED, ErrandStatus.CANCELLED) else None
    rating = None
    if status == ErrandStatus.CONFIRMED and rng.random() < 0.8:
        rating = rng.choices((5, 4, 3, 2, 1), weights=(70, 22, 5, 2, 1))[0]
    cost = f"{rng.uniform(15, 300):.2f}" if kind in (ErrandKind.GROCERIES, ErrandKind.MEDICINE) and delivered else None
    row = (
        errand_id,
        ctx.public_id(),
        utc_text(created),
        utc_text(last),
        int(city.household_ids[household]),
        city.path(compound),
        int(city.household_head[household]),
        kind,
        rng.choice(ERRAND_DETAILS[kind]),
        "",
        status,
        requester,
        ctx.public_id(),
        None if cancelled else assignee,
        cost,
        "微信转账" if cost else "",
        rating,
        "",
        utc_text(delivered) if delivered else None,
        utc_text(finished) if finished else None,
    )
    return row, errand_events(errand_id, steps, requester, None if cancelled else assignee)


def errand_events(errand_id: int, steps: list, requester: int, assignee: int | None) -> list[tuple]:
    """As the services write them: creation, automatic assignment, then one row per status move."""
    created = steps[0][1]
    events = [(errand_id, utc_text(created), requester, "", ErrandStatus.REQUESTED, "")]
    if assignee is not None:
        events.append(
            (
                errand_id,
                utc_text(created + timedelta(seconds=1)),
                None,
                ErrandStatus.REQUESTED,
                ErrandStatus.REQUESTED,
                "auto",
            )
        )
    for (previous, _at), (status, at) in pairwise(steps):
        by = {ErrandStatus.CANCELLED: requester, ErrandStatus.CONFIRMED: requester, ErrandStatus.CLOSED: None}
        events.append(
            (
                errand_id,
                utc_text(at),
                by.get(status, assignee),
                previous,
                status,
                "auto" if status == ErrandStatus.CLOSED else "",
            )
        )
    return events


# --- surveys ----------------------------------------------------------------------------------------

QUESTIONS = [
    (QuestionKind.SINGLE, "您对本社区下沉干部的服务是否满意？", ["满意", "基本满意", "不满意"], True),
    (QuestionKind.RATING, "请为代办服务打分", [], True),
    (QuestionKind.TEXT, "您还有什么意见和建议？", [], False),
]
SUGGESTIONS = ["希望代购能更及时", "卡口排队时间太长", "感谢社区和下沉干部的辛苦付出", "希望多组织线上问诊"]


def write_surveys(ctx: Context) -> Counter:
    """An anonymous satisfaction survey in the first community of every street, closed mid-month."""
    city = ctx.city
    first_of_street: dict[int, int] = {}
    for community in city.communities:
        first_of_street.setdefault(city.units[community][3], community)
    compounds_of: dict[int, list[int]] = {}
    for compound, community in city.compound_community.items():
        compounds_of.setdefault(community, []).append(compound)
    households_of: dict[int, list[int]] = {}
    for index, compound in enumerate(ctx.city.household_compound.tolist()):
        households_of.setdefault(compound, []).append(index)
    opened, closed = ctx.month.start + timedelta(days=3), ctx.month.start + timedelta(days=20)
    counts: Counter = Counter()
    with transaction.atomic():
        for community in first_of_street.values():
            survey = Survey.objects.create(
                title="社区服务满意度调查",
                community_id=community,
                community_path=city.path(community),
                anonymous=True,
                status=SurveyStatus.CLOSED,
                opened_at=opened,
                closes_at=closed,
                closed_at=closed,
                created_by_id=city.users["zuzhibu"],
                description="演示问卷：匿名填写，请如实评价。",
            )
            survey.compounds.set(compounds_of.get(community, []))
            questions = Question.objects.bulk_create(
                [
                    Question(survey=survey, position=position, kind=kind, text=text, choices=choices, required=required)
                    for position, (kind, text, choices, required) in enumerate(QUESTIONS, start=1)
                ]
            )
            for compound in sorted(compounds_of.get(community, [])):
                counts["survey_responses"] += answer_survey(
                    ctx, survey, questions, compound, households_of.get(compound, [])
                )
            counts["surveys"] += 1
    return counts


def answer_survey(ctx: Context, survey: Survey, questions: list, compound: int, households: list[int]) -> int:
    rng, city = ctx.rng, ctx.city
    chosen = rng.sample(households, min(len(households), ctx.volume.survey_responses_per_compound))
    # Synthetic sheets drawn independently of the households, so writing them with the participations
    # links nothing; the day is the closing day, as a final batch (ADR 1505) would have it.
    day = timezone.localdate(survey.closed_at)
    responses = [SurveyResponse(id=ctx.public_id(), survey=survey, recorded_on=day) for _ in chosen]
    SurveyResponse.objects.bulk_create(responses)
    answers = []
    for response in responses:
        verdict = rng.choices(questions[0].choices, weights=(70, 22, 8))[0]
        answers.append(Answer(id=ctx.public_id(), response=response, question=questions[0], value=verdict))
        answers.append(
            Answer(
                id=ctx.public_id(),
                response=response,
                question=questions[1],
                value=rng.choices((5, 4, 3, 2, 1), weights=(55, 28, 10, 4, 3))[0],
            )
        )
        if rng.random() < 0.3:
            answers.append(
                Answer(id=ctx.public_id(), response=response, question=questions[2], value=rng.choice(SUGGESTIONS))
            )
    Answer.objects.bulk_create(answers)
    Participation.objects.bulk_create(
        [
            Participation(
                survey=survey,
                resident_id=int(city.household_head[index]),
                compound_path=city.path(compound),
                submission_key=ctx.public_id(),
            )
            for index in chosen
        ]
    )
    return len(responses)


# --- evaluations ------------------------------------------------------------------------------------


def write_evaluations(ctx: Context) -> Counter:
    """The receiving unit's monthly rating (period "YYYY-MM") of every cadre who arrived, five dimensions."""
    rng = ctx.rng
    dimensions = list(Dimension.objects.order_by("sort_order", "code").values_list("id", flat=True))
    period = f"{ctx.month.last_day:%Y-%m}"
    evaluator = ctx.city.users["shequ"]
    stamp = utc_text(ctx.month.now - timedelta(hours=12))
    first_id = next_id(Evaluation)
    evaluations, scores = [], []
    for match_id, (index, cadre, status) in zip(ctx.match_ids, ctx.matches, strict=True):
        if status != MatchStatus.ARRIVED:
            continue
        evaluation_id = first_id + len(evaluations)
        evaluations.append(
            (
                evaluation_id,
                ctx.public_id(),
                stamp,
                stamp,
                match_id,
                cadre[0],
                ctx.demands[index].unit_id,
                period,
                "",
                evaluator,
            )
        )
        level = rng.gauss(85, 6)
        scores += [
            (evaluation_id, dimension, max(0, min(100, round(level + rng.gauss(0, 4))))) for dimension in dimensions
        ]
    with transaction.atomic():
        insert_rows(
            Evaluation,
            [
                "id",
                "public_id",
                "created_at",
                "updated_at",
                "match_id",
                "cadre_id",
                "unit_id",
                "period",
                "comments",
                "evaluator_id",
            ],
            evaluations,
        )
        insert_rows(DimensionScore, ["evaluation_id", "dimension_id", "score"], scores)
    reset_sequences(Evaluation, DimensionScore)
    return Counter({"evaluations": len(evaluations), "dimension_scores": len(scores)})
