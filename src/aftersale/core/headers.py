"""Security headers on every answer the application writes (static files are served before
this middleware runs and keep their long-lived caching).

* ``Content-Security-Policy``: scripts, styles, images and connections from this site only —
  no inline script or style, no ``eval``, no framing, forms post only here.
* ``Permissions-Policy``: no camera, microphone, location, payment or USB for any page.
* ``Cache-Control: private, no-store`` unless the view chose otherwise: pages and API answers
  carry customers' personal data and must not stay in shared or browser caches.
* ``X-Robots-Tag: noindex, nofollow``: tracking pages, the portal and links from e-mails
  (magic links, reviews, surveys) must never appear in search engines.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response
