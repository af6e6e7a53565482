import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shop fixtures create four users per test; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded photos go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Queued tasks (the magic-link e-mail) run inside the request in these tests."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed_in(client):
    """``signed_in(order)`` finds ``order`` in its shop's portal by number and e-mail."""

    def sign_in(order):
        response = client.post(
            f"/s/{order.shop.slug}/",
            {"number": order.number, "email": order.customer.email.upper()},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return sign_in
