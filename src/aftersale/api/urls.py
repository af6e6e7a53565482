from functools import wraps

from django.urls import include, path
from django.utils.translation import gettext as _

from aftersale.api.main import api
from aftersale.api.problems import Problem, problem_response


def body_problem(request) -> Problem | None:
    """A POST body this API cannot read: sent in chunks without a length (the WSGI server hands
    Django no length, so the body would read as empty: refused with 411), or empty (400)."""
    if request.method != "POST":
        return None
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return Problem(
            411,
            _("Length required"),
            _("Send the body with a Content-Length header, not in chunks."),
            kind="length-required",
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return Problem(
            400,
            _("Empty body"),
            _("This operation takes a JSON body; the request had none."),
            kind="empty-body",
        )
    return None


def _methods(view) -> set[str]:
    """The methods django-ninja's view for one path answers (its PathView's operations)."""
    for cell in getattr(view, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return {method for operation in operations for method in operation.methods}
    return set()


def _problem_for_wrong_method(view):
    """Refuse a body that cannot be read, and answer a wrong method with problem+json (django-
    ninja answers it with plain text)."""
    takes_body = "POST" in _methods(view)

    @wraps(view)
    def answer(request, *args, **kwargs):
        problem = body_problem(request) if takes_body else None
        if problem is not None:
            return problem_response(request, problem)
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            problem = Problem(
                405,
                _("Method not allowed"),
                _("Allowed here: %(methods)s.") % {"methods": response.get("Allow", "")},
                headers={"Allow": response.get("Allow", "")},
            )
            return problem_response(request, problem)
        return response

    return answer


patterns, _app, namespace = api.urls
for pattern in patterns:
    pattern.callback = _problem_for_wrong_method(pattern.callback)

app_name = namespace  # "api": django-ninja reverses its own URLs in this namespace
urlpatterns = [path("api/v1/", include(patterns))]
