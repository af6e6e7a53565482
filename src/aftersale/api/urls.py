from functools import wraps

from django.urls import include, path
from django.utils.translation import gettext as _

from aftersale.api.main import api
from aftersale.api.problems import Problem, problem_response


def _problem_for_wrong_method(view):
    """django-ninja answers a wrong method with plain text; answer with problem+json."""

    @wraps(view)
    def answer(request, *args, **kwargs):
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
