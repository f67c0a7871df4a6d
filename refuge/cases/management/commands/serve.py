"""`refuge serve`: the application under gunicorn (threaded worker), with the package's static files.

Why gunicorn's `gthread` worker: a slow upload occupies one thread, not the process, and gunicorn
hands the request body to Django as it comes off the socket; nothing spools it to a temporary
file (waitress wrote bodies over 512 KB to one, in plaintext, before any login was checked).
Django's multipart parser then gives each file to the vault's EncryptingUploadHandler, which
seals it chunk by chunk; every other body stays in memory, bounded by DATA_UPLOAD_MAX_MEMORY_SIZE.

One worker process per core by default (`--workers N`). The vault's root key lives in memory
only; the master process runs the host's key agent (refuge.vault.agent) on a Unix socket in the
data directory before it forks the workers, so one `refuge unseal` (on the host, or through any
worker's unseal page) unseals every worker, and a worker forked later takes the key from it.
Sealing reaches every worker through the database within a second, and the agent forgets the key.

With REFUGE_MULTI_HOST (several machines on one database) the server refuses to start without a
shared REFUGE_SECRET_KEY: a key generated per machine would break every session on the others.

Behind a proxy, gunicorn takes `X-Forwarded-Proto` (and only that) from REFUGE_TRUSTED_PROXY's
addresses and from no one else: it sets the request's scheme, which Django reads as
`request.is_secure()` (settings.SECURE_PROXY_SSL_HEADER stays None, so a client that reaches the
server directly cannot claim HTTPS with a header).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext, gettext_noop

from refuge.accounts.checks import shared_secret_key_problem
from refuge.lib import collector
from refuge.lib.commands import RefugeCommand
from refuge.vault import agent, state

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SOCKET_PATH_MAX = 107  # sun_path, less its terminating zero

logger = logging.getLogger("refuge.vault")


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


def clear_upload_temp_dir() -> int:
    """Remove what a killed server left in the upload directory (sealed chunks, never plaintext).

    Only servers of this data directory write there, and `refuge serve` is its one process:
    nothing in it belongs to a live request when the server starts.
    """
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    removed = 0
    for entry in folder.iterdir():
        if entry.is_file() or entry.is_symlink():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _served_app() -> Any:
    """Built in the worker process: its vault state and watcher thread live there."""
    from refuge.lib.logs import filter_handlers_of  # noqa: PLC0415  # deferred: in the worker process, after the fork

    filter_handlers_of("gunicorn.error")  # "Error handling request /feeds/<token>.ics" must not name it
    app = wsgi_application(collect_static=False)
    # With a dev key file: unsealed now, and the warning printed at start (not after a seal); else
    # the key the host's agent holds, if any: a worker forked while unsealed serves at once.
    if not state.try_dev_unseal():
        state.try_agent_unseal()
    if state.is_sealed():
        logger.info("vault: process %d starts sealed", os.getpid())
    state.start_watcher()  # a `refuge seal` drops the key within a second; an unseal reaches it as fast
    return app


def gunicorn_options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return {
        "bind": [f"{shown}:{port}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Forwarded headers from the configured proxy only; X-Forwarded-Proto is the one used.
        "forwarded_allow_ips": ",".join(settings.REFUGE_TRUSTED_PROXY),
        "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"},
        "forwarder_headers": "",
        "proxy_protocol": False,
        # No access log: URLs carry calendar-feed and acknowledge tokens.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "capture_output": False,
        "preload_app": False,
        "umask": 0o077,
        "worker_tmp_dir": settings.FILE_UPLOAD_TEMP_DIR,
        "graceful_timeout": 10,
        "timeout": 120,  # a generated PDF bundle can take a while; the worker's heartbeat is its own thread
        "keepalive": 5,
        # gunicorn's control socket lives in the user's home, shared by every instance: none here.
        "control_socket_disable": True,
    }


class Command(RefugeCommand):
    help = gettext_noop("Serve Refuge with gunicorn (127.0.0.1:8000 by default), static files included.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=gettext("address to bind (default 127.0.0.1: this machine only)")
        )
        parser.add_argument("--port", type=int, default=8000, help=gettext("port to bind (default 8000)"))
        parser.add_argument(
            "--threads", type=int, default=8, help=gettext("threads of each worker process (default 8)")
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=gettext("worker processes (default: one per core); one `refuge unseal` unseals them all"),
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help=gettext("serve STATIC_ROOT as it is (after a `refuge collectstatic` on a read-only install)"),
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        threads: int,
        workers: int | None,
        no_collectstatic: bool,
        **options: Any,
    ) -> None:
        from gunicorn.app.base import BaseApplication  # noqa: PLC0415  # only the server needs it

        workers = workers if workers is not None else os.cpu_count() or 1
        if threads < 1 or workers < 1:
            self.stderr.write(gettext("--threads and --workers must be at least 1"))
            raise SystemExit(2)
        problem = shared_secret_key_problem()
        if problem:
            raise CommandError(str(problem))
        self.check_migrations()
        if not no_collectstatic:
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
            call_command("collectstatic", interactive=False, verbosity=0)
        clear_upload_temp_dir()
        if host not in LOOPBACK:
            self.stderr.write(
                self.style.WARNING(
                    gettext(
                        "Binding to %(host)s: other machines can reach this server. Put it behind a TLS proxy "
                        "(REFUGE_BEHIND_PROXY, REFUGE_TRUSTED_PROXY, REFUGE_SECURE_COOKIES) and list its name in "
                        "REFUGE_ALLOWED_HOSTS."
                    )
                    % {"host": host}
                )
            )
        key_agent = self._start_agent()
        # The workers are forked from here: no database connection may cross the fork, pooled or not
        # (each worker process makes its own pool on its first query).
        connections.close_all()
        for conn in connections.all(initialized_only=True):
            close_pool = getattr(conn, "close_pool", None)  # PostgreSQL's backend only
            if close_pool is not None and conn.alias in getattr(type(conn), "_connection_pools", {}):
                close_pool()
        stdout = self.stdout

        def when_ready(server: Any) -> None:
            for listener in server.LISTENERS:
                address = listener.sock.getsockname()
                shown = f"[{address[0]}]" if ":" in address[0] else address[0]
                stdout.write(
                    gettext("Refuge is serving on %(url)s (Ctrl-C stops it)") % {"url": f"http://{shown}:{address[1]}/"}
                )
            stdout.flush()

        def post_fork(server: Any, worker: Any) -> None:
            key_agent.close_in_child()  # the worker is the agent's client, never its listener

        def post_worker_init(worker: Any) -> None:
            collector.settle()

        config = {
            **gunicorn_options(host=host, port=port, workers=workers, threads=threads),
            "when_ready": when_ready,
            "post_fork": post_fork,
            "post_worker_init": post_worker_init,
        }

        class _Server(BaseApplication):
            def load_config(self) -> None:
                for name, value in config.items():
                    self.cfg.set(name, value)

            def load(self) -> Any:
                return _served_app()

        # gunicorn reads its own settings from GUNICORN_CMD_ARGS and FORWARDED_ALLOW_IPS: not here.
        os.environ.pop("GUNICORN_CMD_ARGS", None)
        os.environ.pop("FORWARDED_ALLOW_IPS", None)
        argv, sys.argv = sys.argv, sys.argv[:1]  # gunicorn's master may look at argv for a re-exec
        master = os.getpid()
        try:
            _Server().run()  # ends with SystemExit on Ctrl-C or SIGTERM, after the workers have finished
        except SystemExit as stop:
            # A worker ends with SystemExit too, through this frame (it was forked inside run()).
            if os.getpid() != master or stop.code not in (0, None):
                raise
        finally:
            sys.argv = argv
            if os.getpid() == master:
                key_agent.stop()
        self.stdout.write(gettext("Stopped."))

    def _start_agent(self) -> agent.Agent:
        """The host's key agent, in this (the master) process; the workers find it at agent.serving."""
        path = state.agent_path()
        if len(os.fsencode(path)) > SOCKET_PATH_MAX:
            raise CommandError(
                gettext("the key agent's socket path %(path)s is too long for a Unix socket: move REFUGE_DATA_DIR")
                % {"path": path}
            )
        key_agent = agent.Agent(path)
        try:
            key_agent.start()
        except (agent.AgentBusy, PermissionError) as exc:
            raise CommandError(str(exc)) from None
        agent.serving = path
        return key_agent
