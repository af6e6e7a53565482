from django.core.management.base import BaseCommand

from aftersale.service.inbound.server import Receiver


class Command(BaseCommand):
    help = (
        "Receive support mail over SMTP (or LMTP with --lmtp) and turn it into tickets. "
        "Run it behind Postfix; see docs/operators/support-mail.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="Address to listen on (MAIL_IN_HOST).")
        parser.add_argument("--port", type=int, default=None, help="Port (MAIL_IN_PORT).")
        parser.add_argument(
            "--lmtp", action="store_true", default=None, help="Speak LMTP instead of SMTP."
        )

    def handle(self, *, host, port, lmtp, **options):
        receiver = Receiver(host, port, lmtp=lmtp)

        def ready():
            self.stdout.write(f"mail-in: {receiver.protocol} on {receiver.host}:{receiver.port}")
            self.stdout.flush()

        receiver.ready_callback = ready
        receiver.run()
        self.stdout.write("mail-in stopped")
