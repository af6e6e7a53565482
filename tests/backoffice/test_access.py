"""``shop_required`` and ``ShopRequiredMixin``: the guard every back-office view stands behind."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.utils import timezone
from django.views import View

from aftersale.backoffice.access import SESSION_KEY, ShopRequiredMixin, shop_required
from aftersale.core.models import Membership
from aftersale.core.services import add_member

pytestmark = pytest.mark.django_db


def request_for(user, session=None):
    request = RequestFactory().get("/somewhere/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.session.update(session or {})
    request.user = user
    return request


@shop_required
def whoami(request):
    zone = timezone.get_current_timezone_name()
    return HttpResponse(f"{request.shop.slug} {request.membership.role} {zone}")


@shop_required(owner_only=True)
def owners_only(request):
    return HttpResponse("settings")


class Page(ShopRequiredMixin, View):
    def get(self, request):
        template = engines["django"].from_string("{% now 'e' %} {{ request.shop.slug }}")
        return TemplateResponse(request, template, {})


def test_it_puts_the_shop_and_membership_on_the_request(shop_a):
    response = whoami(request_for(shop_a.staff))
    assert response.content.decode() == "pohjola staff Europe/Helsinki"


def test_it_runs_the_view_in_the_shops_time_zone(shop_a):
    shop_a.shop.time_zone = "America/New_York"
    shop_a.shop.save()
    assert whoami(request_for(shop_a.owner)).content.decode() == "pohjola owner America/New_York"
    # A class-based view's template is rendered while the shop's zone is still active.
    response = Page.as_view()(request_for(shop_a.owner))
    assert response.content.decode().split() in (["EST", "pohjola"], ["EDT", "pohjola"])
    assert timezone.get_current_timezone_name() != "America/New_York"


def test_it_uses_the_shop_chosen_in_the_session(shop_a, shop_b):
    add_member(shop_b.shop, shop_a.staff, Membership.Role.OWNER)
    request = request_for(shop_a.staff, {SESSION_KEY: shop_b.shop.pk})
    assert whoami(request).content.decode() == "saaristo owner Europe/Helsinki"


def test_it_refuses_staff_on_an_owners_only_page(shop_a):
    assert owners_only(request_for(shop_a.owner)).content == b"settings"
    with pytest.raises(PermissionDenied):
        owners_only(request_for(shop_a.staff))


def test_it_tells_a_user_without_a_shop(outsider):
    for view in (whoami, owners_only, Page.as_view()):
        response = view(request_for(outsider))
        assert response.status_code == 403
        assert b"You are not a member of any shop" in response.content


def test_it_sends_anonymous_visitors_to_the_login_page(db):
    response = whoami(request_for(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/somewhere/"
