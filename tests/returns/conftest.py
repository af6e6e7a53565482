import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shop fixtures create four users per test; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded photos go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
