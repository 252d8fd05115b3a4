"""The system administrator's boundary upload page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.org.models import Unit, path_within

from . import selectors, services
from .forms import BoundaryUploadForm


@require_http_methods(["GET", "POST"])
def boundaries(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, services.PERMISSION)
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        by_name = form.cleaned_data["match"] == "name"
        try:
            count = services.upload_boundaries(by=request.user, data=form.cleaned_data["file"].read(),
                                               key=form.cleaned_data["key"], by_name=by_name)
        except services.BoundaryError as error:
            errors = error.errors
        else:
            messages.success(request, _("已保存 %(n)s 个单位的地图边界") % {"n": count})
            return redirect("maps:boundaries")
    units = Unit.objects.filter(path_within(scope_paths(request.user, services.PERMISSION)))
    counts = selectors.boundary_counts(units)
    return render(request, "maps/boundaries.html", {"form": form, "errors": errors, "counts": counts})
