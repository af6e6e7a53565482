import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
application = get_wsgi_application()


def _no_server_banner() -> None:
    """gunicorn writes ``Server: gunicorn`` on every answer and has no setting to stop it; the
    banner only tells a scanner what to try, so its status lines go out without it."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response, "aftersale_without_banner", False):
        return
    default_headers = wsgi.Response.default_headers

    def headers_without_server(self):
        return [line for line in default_headers(self) if not line.startswith("Server:")]

    wsgi.Response.default_headers = headers_without_server
    wsgi.Response.aftersale_without_banner = True


if "gunicorn" in sys.modules:
    _no_server_banner()
