"""`refuge serve`: the application under waitress, with the package's static files."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def wsgi_application(*, collect_static: bool = True) -> Any:
    """Django's WSGI application with WhiteNoise in front for STATIC_URL.

    Static files are first collected into STATIC_ROOT (under REFUGE_DATA_DIR): collectstatic
    copies only what changed, so a restart costs little. WhiteNoise then serves them from
    memory-mapped files with caching headers, as a production web server would, and leaves every
    other path to Django (no CDN, no second web server).
    """
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415  # after settings are configured
    from whitenoise import WhiteNoise  # noqa: PLC0415  # only the server needs it

    if collect_static:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    return WhiteNoise(get_wsgi_application(), root=settings.STATIC_ROOT, prefix=settings.STATIC_URL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve Refuge with waitress (127.0.0.1:8000 by default), static files included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="serve STATIC_ROOT as it is (after a `refuge collectstatic` on a read-only install)",
        )

    def handle(self, *args: Any, host: str, port: int, threads: int, no_collectstatic: bool, **options: Any) -> None:
        from waitress.server import create_server  # noqa: PLC0415  # only the server needs it

        if threads < 1:
            self.stderr.write("--threads must be at least 1")
            raise SystemExit(2)
        self.check_migrations()
        app = wsgi_application(collect_static=not no_collectstatic)
        from refuge.vault import state  # noqa: PLC0415  # after settings are configured

        state.try_dev_unseal()  # with a dev key file: unsealed now, and the warning printed at start
        state.start_watcher()  # a `refuge seal` elsewhere drops the key here within a second
        if host not in LOOPBACK:
            self.stderr.write(
                self.style.WARNING(
                    f"Binding to {host}: other machines can reach this server. Put it behind a TLS proxy "
                    "(REFUGE_BEHIND_PROXY, REFUGE_SECURE_COOKIES) and list its name in REFUGE_ALLOWED_HOSTS."
                )
            )
        # ident="" keeps waitress's name and version out of the Server header.
        server = create_server(app, host=host, port=port, threads=threads, ident="")
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        bound = getattr(server, "effective_port", port)  # one socket; several (a name with v4 and v6) keep `port`
        self.stdout.write(f"Refuge is serving on http://{shown}:{bound}/ (Ctrl-C stops it)")
        self.stdout.flush()
        # A service manager stops us with SIGTERM: finish as on Ctrl-C, closing the sockets.
        # (ValueError: not the main thread, as when another command's thread calls us.)
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run()  # returns on Ctrl-C or SIGTERM (waitress catches KeyboardInterrupt itself)
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        self.stdout.write("Stopped.")
