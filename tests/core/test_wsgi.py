"""The web process keeps what it loaded at start out of the garbage collector's way."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_loaded_application_is_frozen_and_young_objects_collected_less_often(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "SECRET_KEY": "x",
        "AFTERSALE_VAR": str(tmp_path),
    }
    code = (
        "import gc, aftersale.wsgi as w; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], w.GC_YOUNGEST_THRESHOLD)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    frozen, threshold, configured = map(int, result.stdout.split())
    assert frozen > 50_000, result.stderr  # Django, the apps and every view module
    assert threshold == configured == 10_000
