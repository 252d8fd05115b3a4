"""`{% latest_job "deployments.publish_round" round as publish_job %}`: the newest background job of
a kind on an object, for `ops/job.html` (xiachen.ops.jobs)."""

from django import template

from xiachen.ops.jobs import latest_job as newest

register = template.Library()


@register.simple_tag(name="latest_job")
def latest_job(kind: str, subject):
    return newest(kind, subject) if subject is not None else None
