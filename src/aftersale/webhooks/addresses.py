"""Where a shop's webhooks may go: public addresses only, unless the operator allows more.

Endpoints belong to shops, so Aftersale refuses to POST into its own network (loopback, private,
link-local, reserved: the database, the cloud's metadata service…). The check runs when an
endpoint is added, and again at each delivery on the very address the connection then uses, so a
name that later resolves to an inside address (DNS rebinding) is refused too. Redirects are never
followed. An operator allows inside targets with ``WEBHOOKS_ALLOW_PRIVATE_URLS=1`` (everything)
or ``WEBHOOKS_ALLOWED_NETWORKS=10.1.0.0/16,…`` (those networks only).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse

from django.conf import settings

EXCERPT_BYTES = 500


class RefusedAddress(ValueError):
    def __init__(self, host: str, address: str):
        super().__init__(f"refused: {host} resolves to {address}, an address inside this network")
        self.host, self.address = host, address


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in getattr(settings, "WEBHOOKS_ALLOWED_NETWORKS", [])
    ]


def is_refused(address: str) -> bool:
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_URLS", False):
        return False
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed_networks()):
        return False
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to; RefusedAddress if any of them is inside."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    for address in addresses:
        if is_refused(address):
            raise RefusedAddress(host, address)
    return addresses


def check_url(url: str) -> None:
    """At creation: RefusedAddress for an inside target; a name that does not resolve (yet)
    passes here and is checked again at each delivery."""
    parts = urllib.parse.urlsplit(url)
    try:
        resolve(parts.hostname or "", parts.port or 443)
    except (OSError, UnicodeError):
        return


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST ``body`` to ``url`` on an address checked just now, without following redirects;
    returns the status and at most ``EXCERPT_BYTES`` of the answer."""
    parts = urllib.parse.urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    address = resolve(host, port)[0]
    connection_class = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = connection_class(host, port, timeout=timeout)

    def connect_to_checked_address(target, timeout=None, source_address=None):
        return socket.create_connection((address, target[1]), timeout, source_address)

    connection._create_connection = connect_to_checked_address
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(EXCERPT_BYTES).decode("utf-8", "replace")
    finally:
        connection.close()
