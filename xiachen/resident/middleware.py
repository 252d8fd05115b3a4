"""Residents stay on the resident site: a signed-in resident with no staff role who is shown a staff
page gets the refusal page instead (403, in the resident layout, with the way back to the resident
home), not an empty staff page in the staff layout.

Only pages that would have been shown (200, HTML) are replaced: what a staff view already refuses
(403), hides (404) or does not allow (405) keeps its own answer, so scoping stays as it was.
"""

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied

from .access import resident_only

# Outside the resident site, what a resident may open: their pass, their hotline requests, signing
# in and out, changing their password, the privacy notice, the language switch, the API (it answers
# for itself), and every public view (login_not_required: the favicon, a calendar feed token, the
# gate's service worker).
RESIDENT_NAMESPACES = frozenset({"resident", "api"})
RESIDENT_VIEWS = frozenset({
    "passes:mine", "hotline:resident_file", "hotline:resident_ticket",
    "accounts:home", "accounts:login", "accounts:logout", "accounts:privacy", "set_language",
    "accounts:password_change",  # where a reset password sends everyone, residents included
})


class ResidentSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 200 and self._staff_page(request, response) and resident_only(request.user):
            return permission_denied(request, PermissionDenied("staff page"))
        return response

    @staticmethod
    def _staff_page(request, response) -> bool:
        match = request.resolver_match
        if match is None or match.namespace in RESIDENT_NAMESPACES or match.view_name in RESIDENT_VIEWS:
            return False
        if getattr(match.func, "login_required", True) is False:  # public anyway
            return False
        return response.get("Content-Type", "").startswith("text/html")
