"""Aftersale's own settings with the hello-world view added to the URLs (bench_urls)."""

from aftersale.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
