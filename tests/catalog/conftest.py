import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared fixtures hash passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
