"""Writes of hotline settings (organization department only), each audited."""

from django.db import transaction

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .models import RoutingRule


@transaction.atomic
def save_setting(*, by, action: str, form=None, instance=None) -> None:
    """Save a validated settings form, or delete `instance`; audited with the fields touched."""
    require_permission(by, "hotline.configure")
    if form is not None:
        saved = form.save()
        audit.record(actor=by, action=action, target=saved, fields={"changed": sorted(form.changed_data)})
    else:
        audit.record(actor=by, action=action, target=instance)
        instance.delete()


@transaction.atomic
def add_rule(*, by, category, area, unit) -> RoutingRule:
    """Tickets of `category` within `area` (anywhere when None) go to `unit`; replaces an existing rule."""
    require_permission(by, "hotline.configure")
    rule = RoutingRule.objects.filter(category=category, area=area).first() or RoutingRule(category=category,
                                                                                           area=area)
    rule.unit = unit
    rule.save()
    audit.record(actor=by, action="hotline.rule_saved", target=rule, fields={"category": category.code,
                                                                           "unit": unit.code})
    return rule


@transaction.atomic
def delete_rule(*, by, rule: RoutingRule) -> None:
    require_permission(by, "hotline.configure")
    audit.record(actor=by, action="hotline.rule_deleted", target=rule)
    rule.delete()
