"""Permission matrix of surveys (merged by tests/accounts/test_permission_matrix.py).

The survey is community1's, open, distributed to compound1 (resident1's). Managers and workers
see their community's surveys; only the manager changes them. A change the open survey's state
refuses (adding a question, opening again) is a message (302).
"""

from tests.accounts.test_permission_matrix import LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


LOCAL = ["manager1", "worker1"]

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
}


def open_survey(request):
    from xiachen.surveys import services

    people = request.getfixturevalue("people")
    tree = request.getfixturevalue("tree")
    survey = services.create_survey(by=people.manager1, title="疫情期间生活需求调查", compounds=[tree.compound1])
    services.add_question(by=people.manager1, survey=survey, kind="single", text="家里是否缺少生活物资？",
                          choices=["缺少", "不缺"])
    return services.open_survey(by=people.manager1, survey=survey)


ARGS = {
    "survey": lambda request: [open_survey(request).public_id],
    "question": lambda request: [open_survey(request).questions.get().public_id],
}
