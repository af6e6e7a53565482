import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Attachments go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
