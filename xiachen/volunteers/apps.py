from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "xiachen.volunteers"
    label = "volunteers"
    verbose_name = _("双报到与志愿服务")

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations

        # pair: create and end pairings (organization department). view_pairings: read pairings and
        # their projects in the scope; edit_projects: update a project's progress (both sides).
        # import_members: the agency's member list. review_members: confirm or return registrations.
        # manage_service: posts, activities, hours approval, the points catalogue of a community.
        # view_members: read members reported in the scope (community side) or sent by it (agency side).
        # call_out: call members out for an urgent need (issue #19 item 4).
        # agency_feedback: the quarterly feedback on an agency's members (item 6).
        grant(Role.ORG_DEPARTMENT, "volunteers.pair", "volunteers.view_pairings", "volunteers.view_members",
              "volunteers.call_out")
        grant(Role.AGENCY_LIAISON, "volunteers.view_pairings", "volunteers.edit_projects",
              "volunteers.import_members", "volunteers.view_members", "volunteers.agency_feedback")
        grant(Role.UNIT_MANAGER, "volunteers.view_pairings", "volunteers.edit_projects",
              "volunteers.review_members", "volunteers.manage_service", "volunteers.view_members",
              "volunteers.call_out")
        grant(Role.COMMUNITY_WORKER, "volunteers.view_pairings", "volunteers.review_members",
              "volunteers.manage_service", "volunteers.view_members")
        add_section("volunteers.view_pairings", "volunteers:pairings", _("单位报到"), group="volunteers")
        add_section("volunteers.import_members", "volunteers:member_list", _("党员名册"), group="volunteers")
        add_section("volunteers.view_members", "volunteers:members", _("报到成员"), group="volunteers")
        add_section("volunteers.manage_service", "volunteers:posts", _("服务岗位"), group="volunteers")
        add_section("volunteers.manage_service", "volunteers:activities", _("志愿活动"), group="volunteers")
        add_section("volunteers.manage_service", "volunteers:records", _("服务时长审核"), group="volunteers")
        add_section("volunteers.manage_service", "volunteers:catalog", _("积分兑换"), group="volunteers")
        # 应急动员, the quarterly feedback, the statistics (issue #19 items 4, 6, 7; ADR 1911)
        add_section("volunteers.call_out", "volunteers:callouts", _("应急动员"), group="volunteers")
        add_section("volunteers.agency_feedback", "volunteers:feedback", _("季度服务反馈"), group="volunteers")
        add_section("volunteers.view_members", "volunteers:stats", _("双报到统计"), group="volunteers")
        from xiachen.assessments.metrics import register

        from .metrics import VolunteerHours

        register(VolunteerHours())
