"""Static files storage that cannot take the site down.

Hashed, compressed names come from the manifest that ``collectstatic`` writes. A file the
manifest does not know — collectstatic ran before ``HTTPS=1`` turned the manifest on, or before
an upgrade added the file — is served under its plain name (WhiteNoise finds it) and logged,
instead of failing every page that links it with a 500.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger("aftersale.static")


class ManifestStaticFilesWithFallback(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if self.hash_key(self.clean_name(name)) not in self.hashed_files:
            logger.warning(
                "%s is not in the static files manifest: serving it unhashed. "
                "Run 'aftersale collectstatic --noinput' after changing settings or upgrading.",
                name,
            )
            return name
        return super().stored_name(name)
