from django.core.management.base import BaseCommand

from aftersale.core.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: flow steps, webhook deliveries, nightly analytics."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")

    def handle(self, *, interval: float, once: bool, **options):
        Worker(interval=interval).run(once=once)
