"""The ``aftersale`` command: every management command, with a few friendly names.

aftersale run            migrate, load the demo shop if empty, serve the web and the worker
aftersale worker         run background jobs (flows, webhooks, nightly analytics)
aftersale demo           create the demo shop (see docs/demo.md)
aftersale import-orders  import orders from a CSV file
aftersale import-pickup-points  import a carrier's pickup-point registry from a CSV file
aftersale import-reviews  import reviews collected with another tool from a CSV file
aftersale loyalty-check  compare members' cached points with the ledger (--fix repairs drift)
aftersale analyze        turn an order export into an HTML report, no server or database
aftersale mail-in        receive support mail over SMTP/LMTP (behind Postfix) as tickets
aftersale evaluate-recommendations  hit rate, recall and MRR of the recommendations offline
aftersale <command>      any Django management command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "analyze":
        # The report needs no Django, no database and no settings.
        from aftersale.analytics.report import main as analyze

        return analyze(argv[2:])
    if len(argv) > 1 and argv[1] in {"-h", "--help"}:
        print(__doc__)
        return 0
    if len(argv) > 1:
        # Friendly names with hyphens (import-orders, mail-in) are the commands' module names.
        argv[1] = argv[1].replace("-", "_") if not argv[1].startswith("-") else argv[1]
    if len(argv) > 1 and argv[1] == "run" and not os.environ.get("SECRET_KEY"):
        # A single-machine start keeps its own random key in var/ (never a published one).
        from aftersale.env import var_dir, write_local_secret_key

        write_local_secret_key(var_dir())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
