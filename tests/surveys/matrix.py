"""Permission matrix of surveys (merged by tests/accounts/test_permission_matrix.py).

The survey is community1's, open, distributed to compound1 (resident1's). Managers and workers
see their community's surveys; only the manager changes them. A change the open survey's state
refuses (adding a question, opening again) is a message (302).
"""

from tests.accounts.test_permission_matrix import LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


LOCAL = ["manager1", "worker1"]
FILLERS = ["worker1", "cadre_user1"]

MATRIX = {
    ("surveys:list", None, "get"): only(200, ["manager1", "manager2", "worker1"], 403),
    ("surveys:new", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("surveys:detail", "survey", "get"): only(200, LOCAL, 404),
    ("surveys:question_add", "survey", "post"): only(302, ["manager1"], 404, worker1=403),
    ("surveys:question_delete", "question", "post"): only(302, ["manager1"], 404, worker1=403),
    ("surveys:open", "survey", "post"): only(302, ["manager1"], 404, worker1=403),
    ("surveys:close", "survey", "post"): only(302, ["manager1"], 404, worker1=403),
    ("surveys:results", "survey", "get"): only(200, LOCAL, 404),
    ("surveys:results_data", "survey", "get"): only(200, LOCAL, 404),
    ("surveys:export", "survey", "get"): only(200, LOCAL, 404),
    # Field forms (入户摸排): filled by workers and cadres of the community; progress also for its manager.
    ("surveys:field", None, "get"): only(200, ["worker1", "cadre_user1"], 403),
    ("surveys:visit_form", "field_survey", "get"): only(200, FILLERS, 404),
    ("surveys:register", "field_survey", "get"): only(200, FILLERS, 404),
    ("surveys:service_worker", "field_survey", "get"): only(200, FILLERS, 404),
    ("surveys:visit_submit", "field_survey", "post"): only(400, FILLERS, 404, manager1=403),  # empty body: 400
    ("surveys:coverage", "field_survey", "get"): only(200, [*LOCAL, "cadre_user1"], 404),
    ("surveys:visits_export", "field_survey", "get"): only(200, LOCAL, 404),
    ("surveys:visit_detail", "field_visit", "get"): only(200, [*LOCAL, "cadre_user1"], 404),
    ("surveys:photo", "field_photo", "get"): only(200, [*LOCAL, "cadre_user1"], 404),
}


def open_survey(request):
    from xiachen.surveys import services

    people = request.getfixturevalue("people")
    tree = request.getfixturevalue("tree")
    survey = services.create_survey(by=people.manager1, title="疫情期间生活需求调查", compounds=[tree.compound1])
    services.add_question(by=people.manager1, survey=survey, kind="single", text="家里是否缺少生活物资？",
                          choices=["缺少", "不缺"])
    return services.open_survey(by=people.manager1, survey=survey)


def visited_field_form(request):
    """An open field form of community1 with one household visited (with a photo) by worker1."""
    import base64

    from tests.surveys.field import build_field_form, jpeg, payload
    from xiachen.surveys import fieldwork

    people, tree = request.getfixturevalue("people"), request.getfixturevalue("tree")
    form = build_field_form(people, tree)
    photo = "data:image/jpeg;base64," + base64.b64encode(jpeg(exif=False)).decode()
    return fieldwork.submit_visit(by=people.worker1, survey=form.survey, **payload(form, photo=photo)).visit


ARGS = {
    "survey": lambda request: [open_survey(request).public_id],
    "field_survey": lambda request: [visited_field_form(request).survey.public_id],
    "field_visit": lambda request: [visited_field_form(request).public_id],
    "field_photo": lambda request: [visited_field_form(request).photos.get().public_id],
    "question": lambda request: [open_survey(request).questions.get().public_id],
}
