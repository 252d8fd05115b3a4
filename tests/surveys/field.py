"""A field form (入户摸排) for the tests: compound1 with three flats, one with two members."""

import io
import uuid
from dataclasses import dataclass

from PIL import Image

from xiachen.households.models import Household, Resident
from xiachen.surveys import services
from xiachen.surveys.models import Survey

from ..factories import HouseholdFactory, ResidentFactory


@dataclass
class FieldForm:
    survey: Survey
    home: Household  # two members
    members: list
    others: list  # the other flats of compound1
    q: dict  # position → Question


def build_field_form(people, tree, *, open_=True) -> FieldForm:
    by = people.manager1
    survey = services.create_survey(by=by, title="疫情防控入户摸排", compounds=[tree.compound1], audience="households")
    add = lambda **kw: services.add_question(by=by, survey=survey, **kw)  # noqa: E731
    add(kind="number", text="常住人数", constraint=". >= 1 and . <= 20", constraint_message="常住人数应在 1 到 20 之间")
    add(kind="number", text="体温", per_member=True, constraint=". >= 35 and . <= 42",
        constraint_message="体温应在 35 到 42 ℃ 之间")
    add(kind="single", text="是否已接种疫苗", per_member=True, choices=["是", "否"])
    add(kind="calculated", text="平均体温", calculation="round(sum(q2) / count(q2), 1)")
    add(kind="calculated", text="户型", calculation="if(q1 > 3, '大户', '小户')")
    add(kind="gps", text="入户位置", required=False)
    add(kind="photo", text="门牌照片", required=False)
    if open_:
        survey = services.open_survey(by=by, survey=survey)
    home = HouseholdFactory(compound=tree.compound1, building="3", entrance="2", room="501")
    members = [ResidentFactory(household=home, name="张三"),
               ResidentFactory(household=home, name="李四", relation="spouse")]
    others = list(Household.objects.filter(compound=tree.compound1).exclude(pk=home.pk))
    others.append(HouseholdFactory(compound=tree.compound1, building="3", entrance="1", room="101"))
    return FieldForm(survey=survey, home=home, members=members, others=others,
                     q={question.position: question for question in survey.questions.all()})


def payload(form: FieldForm, *, people=3, temps=("36.6", "37.1"), vaccinated=("是", "否"), photo=None, gps=None,
            **extra) -> dict:
    q = form.q
    answers = {str(q[1].public_id): [people], str(q[4].public_id): ["99"]}  # the calculated one is ignored
    if photo is not None:
        answers[str(q[7].public_id)] = photo
    if gps is not None:
        answers[str(q[6].public_id)] = gps
    members = {
        str(member.public_id): {str(q[2].public_id): [temp], str(q[3].public_id): [shot]}
        for member, temp, shot in zip(form.members, temps, vaccinated, strict=True)
    }
    return {"household_id": str(form.home.public_id), "client_uuid": uuid.uuid4(), "answers": answers,
            "members": members} | extra


def jpeg(*, exif: bool, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {1: "N", 2: (30.0, 35.0, 1.0)}  # GPS IFD: latitude of Wuhan
        image.save(buffer, "JPEG", exif=data.tobytes())
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def residents(household) -> list[Resident]:
    return list(household.residents.order_by("id"))
