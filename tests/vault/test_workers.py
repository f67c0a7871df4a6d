"""One unseal for every process: `refuge serve --workers 3` and two "hosts" on one PostgreSQL database.

Real processes: the server's master runs the key agent, its workers take the key from it. Each
worker says in the log when it starts sealed, takes the key, or drops it, with its process id; the
agent says which of the master's child processes took the key. Every wait has a deadline.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from refuge.vault import agent
from tests.alerts.test_kill import database_url  # noqa: F401  # a fixture, used by name
from tests.cli.helpers import REPO, refuge_argv, refuge_env
from tests.cli.test_serve import free_port
from tests.vault.conftest import MNEMONIC_LINE

PASSPHRASE = "a vault passphrase for the workers test only"
DEADLINE = 60.0
SEAL_WITHIN = 5.0  # the watcher ticks every second; a loaded test machine gets some slack
STARTS_SEALED = re.compile(r"vault: process (\d+) starts sealed")
TAKES_KEY = re.compile(r"vault: unsealed in this process, (\d+), from the host's key agent")
DROPS_KEY = re.compile(r"vault: sealed in this process, (\d+) \(sealed by another process\)")


def wait_for(condition: Callable[[], Any], what: str, seconds: float = DEADLINE) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def run(env: dict[str, str], *args: str, stdin: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603  # our own command
        refuge_argv(*args), input=stdin, env=env, cwd=REPO, capture_output=True, text=True, timeout=180, check=False
    )
    if ok:
        assert done.returncode == 0, f"refuge {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def status_code(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  # a loopback http URL
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


class Host:
    """`refuge serve` with its own data directory (its own key agent), its log in a file."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.env = env
        self.data = Path(env["REFUGE_DATA_DIR"])
        self.port = free_port()
        self.log_path = self.data.parent / f"serve-{self.port}.log"
        self.socket = self.data / "run" / "vault-agent.sock"
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(  # noqa: S603  # our own command
                refuge_argv("serve", "--port", str(self.port), "--workers", str(workers), "--threads", "2"),
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{self.port}/vault/unseal/"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pids(self, pattern: re.Pattern[str], after: int = 0) -> set[int]:
        return {int(p) for p in pattern.findall(self.log()[after:])}

    def agent(self) -> dict[str, Any]:
        return agent.call(self.socket, "status")[0]

    def workers(self, count: int) -> set[int]:
        """Wait until the master has `count` workers, each of which has said how it starts."""

        def ready() -> set[int] | None:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server stopped:\n{self.log()}")
            if not self.socket.exists():
                return None
            workers = set(self.agent()["workers"])
            started = self.pids(STARTS_SEALED) | self.pids(TAKES_KEY)
            return workers if len(workers) == count and workers <= started else None

        return wait_for(ready, f"{count} workers")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    started: list[Host] = []
    yield started
    for host in started:
        host.stop()


def _passphrase_vault(env: dict[str, str]) -> None:
    run(env, "migrate", "--no-input")
    run(env, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n")


def test_one_unseal_opens_three_workers_and_one_seal_closes_them(tmp_path: Path, hosts: list[Host]) -> None:
    env = refuge_env(tmp_path / "data")
    _passphrase_vault(env)
    host = Host(env, workers=3)
    hosts.append(host)
    first = host.workers(3)
    assert host.pids(STARTS_SEALED) >= first and host.agent()["sealed"]
    assert status_code(host.url) == 503

    # The test process is the server's user but not one of its workers: the agent gives it no key.
    with pytest.raises(agent.AgentUnavailable, match="only this server's workers"):
        agent.call(host.socket, "get")

    done = run(env, "unseal", stdin=f"{PASSPHRASE}\n")
    assert "the server is unsealed: 3 of 3 worker processes hold the key" in done.stdout, done.stdout + done.stderr
    assert host.pids(TAKES_KEY) == first  # three distinct processes, each took the key from the agent
    assert set(host.agent()["holders"]) == first
    assert all(status_code(host.url) == 200 for _ in range(12))
    assert PASSPHRASE not in host.log()
    again = run(env, "unseal", stdin=f"{PASSPHRASE}\n")  # a second operator, not knowing: no harm done
    assert "3 of 3 worker processes hold the key" in again.stdout
    assert "this host: unsealed; 3 of 3 worker processes hold the key" in run(env, "vault", "status").stdout

    # A worker that dies while unsealed is replaced by one that takes the key as it starts.
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    second = wait_for(lambda: (w := host.workers(3)) != first and w, "a new worker")
    newcomer = (second - first).pop()
    wait_for(lambda: newcomer in host.pids(TAKES_KEY), "the new worker to take the key")

    mark = len(host.log())
    done = run(env, "seal")
    sealed_at = time.monotonic()
    wait_for(lambda: host.pids(DROPS_KEY, after=mark) == second, "all three workers to drop the key", SEAL_WITHIN)
    assert time.monotonic() - sealed_at < SEAL_WITHIN
    assert host.agent()["sealed"] and host.agent()["holders"] == []
    assert all(status_code(host.url) == 503 for _ in range(12))
    assert "this host: sealed; 3 worker processes wait" in run(env, "vault", "status").stdout

    # A worker forked while sealed starts sealed and stays so.
    victim = min(second)
    os.kill(victim, signal.SIGKILL)
    third = wait_for(lambda: (w := host.workers(3)) != second and w, "a worker forked while sealed")
    newcomer = (third - second).pop()
    assert newcomer in host.pids(STARTS_SEALED)
    time.sleep(1.5)  # bounded: a watcher tick or more, in which nothing may unseal it
    assert newcomer not in host.pids(TAKES_KEY)
    assert host.agent()["sealed"] and host.agent()["holders"] == []
    assert all(status_code(host.url) == 503 for _ in range(12))


def type_share(url: str, share: str) -> int:
    """One operator at her own browser: a new connection and cookie jar, one share, the page's answer."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 503
    token = next(cookie.value for cookie in jar if "csrf" in cookie.name)
    body = urllib.parse.urlencode({"shares": share, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310  # loopback
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_shares_typed_into_the_page_one_operator_at_a_time_unseal_every_worker(
    tmp_path: Path, hosts: list[Host]
) -> None:
    env = refuge_env(tmp_path / "data")
    run(env, "migrate", "--no-input")
    shares = MNEMONIC_LINE.findall(run(env, "vault", "init", "--shares", "3", "--threshold", "2").stdout)
    assert len(shares) == 3
    host = Host(env, workers=3)
    hosts.append(host)
    workers = host.workers(3)

    # Whichever worker each request lands on, the agent pools the shares: the first waits for more.
    assert type_share(host.url, shares[0]) == 202
    assert host.agent()["pending"] == 1 and host.agent()["sealed"]
    assert type_share(host.url, shares[2]) == 200  # the redirect after unsealing, followed to the login page
    wait_for(lambda: set(host.agent()["holders"]) == workers, "every worker to hold the key", SEAL_WITHIN)
    assert host.agent()["pending"] == 0
    log = host.log()
    assert shares[0] not in log and shares[2] not in log


def test_unseal_refuses_plain_http_to_another_machine(tmp_path: Path) -> None:
    env = refuge_env(tmp_path / "data")
    _passphrase_vault(env)
    done = run(env, "unseal", "--url", "http://refuge.example.org/vault/unseal/", stdin=f"{PASSPHRASE}\n", ok=False)
    assert done.returncode != 0
    assert "use https://" in done.stderr
    assert "Vault passphrase" not in done.stderr  # refused before asking for anything


def test_several_machines_refuse_a_secret_key_made_on_each(tmp_path: Path) -> None:
    env = {**refuge_env(tmp_path / "data"), "REFUGE_MULTI_HOST": "true", "LANG": "C.UTF-8"}
    refused = run(env, "serve", "--workers", "1", ok=False)
    assert refused.returncode != 0
    assert "REFUGE_MULTI_HOST is set but REFUGE_SECRET_KEY is not" in refused.stderr
    assert not (tmp_path / "data" / "run").exists()  # refused before anything started
    refused = run({**env, "LANG": "ru_RU.UTF-8"}, "check-deploy", ok=False)
    assert refused.returncode != 0 and "refuge.E021" in refused.stderr
    assert "Задан REFUGE_MULTI_HOST, но не задан REFUGE_SECRET_KEY" in refused.stderr  # the operator's language
    refused = run({**env, "REFUGE_LANGUAGE": "ko"}, "serve", ok=False)
    assert "REFUGE_MULTI_HOST가 설정되었지만" in refused.stderr
    env["REFUGE_SECRET_KEY"] = uuid.uuid4().hex * 2
    checked = run(env, "check-deploy", ok=False)
    assert "refuge.E021" not in checked.stderr


@pytest.fixture
def shared_database(database_url: str | None) -> str:  # noqa: F811  # the fixture imported above
    """A fresh PostgreSQL database of the suite's server, for two "hosts" (skipped on SQLite runs)."""
    if database_url is None:
        pytest.skip("two hosts share one PostgreSQL database: run with REFUGE_DATABASE_URL=postgres://…")
    return database_url


def test_two_hosts_on_one_database_unseal_together_and_seal_together(
    tmp_path: Path, shared_database: str, hosts: list[Host]
) -> None:
    secret = uuid.uuid4().hex * 2
    envs = []
    for name in ("host-a", "host-b"):
        env = refuge_env(tmp_path / name)
        env.update(REFUGE_DATABASE_URL=shared_database, REFUGE_MULTI_HOST="true")
        envs.append(env)

    for env in envs:
        env["REFUGE_SECRET_KEY"] = secret

    _passphrase_vault(envs[0])  # one database: migrated and initialised once
    a, b = Host(envs[0], workers=2), Host(envs[1], workers=2)
    hosts.extend([a, b])
    workers_a, workers_b = a.workers(2), b.workers(2)
    assert status_code(a.url) == 503 and status_code(b.url) == 503

    done = run(envs[0], "unseal", "--url", a.url, "--url", b.url, stdin=f"{PASSPHRASE}\n")
    assert done.stdout.count("the server is unsealed") == 2, done.stdout + done.stderr
    for host, workers in ((a, workers_a), (b, workers_b)):
        wait_for(lambda h=host, w=workers: h.pids(TAKES_KEY) | set(h.agent()["holders"]) >= w, "every worker")
        assert all(status_code(host.url) == 200 for _ in range(8))

    marks = (len(a.log()), len(b.log()))
    run(envs[1], "seal")  # from host B's machine: through the database, host A's workers too
    wait_for(lambda: a.pids(DROPS_KEY, after=marks[0]) == workers_a, "host A's workers to drop the key", SEAL_WITHIN)
    wait_for(lambda: b.pids(DROPS_KEY, after=marks[1]) == workers_b, "host B's workers to drop the key", SEAL_WITHIN)
    assert a.agent()["sealed"] and b.agent()["sealed"]
    assert status_code(a.url) == 503 and status_code(b.url) == 503


def _ip_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for https://127.0.0.1 (an IP address in its subject alternative name)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_unseal_reaches_a_host_over_https_through_its_tls_proxy(tmp_path: Path, hosts: list[Host]) -> None:
    from tests.cli.test_proxy import _answers, _caddy

    caddy = _caddy()
    env = refuge_env(tmp_path / "data")
    env.update(REFUGE_BEHIND_PROXY="true", REFUGE_TRUSTED_PROXY="127.0.0.1")
    _passphrase_vault(env)
    host = Host(env, workers=2)
    hosts.append(host)
    workers = host.workers(2)
    proxy_port = free_port()
    cert, key = _ip_certificate(tmp_path)
    home = tmp_path / "caddy-home"
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        "{\n  admin off\n  auto_https disable_redirects\n}\n"
        f"https://127.0.0.1:{proxy_port} {{\n  bind 127.0.0.1\n  tls {cert} {key}\n"
        f"  reverse_proxy 127.0.0.1:{host.port}\n}}\n",
        encoding="utf-8",
    )
    caddy_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "XDG_DATA_HOME": str(home)}
    caddy_env["XDG_CONFIG_HOME"] = str(home)
    with (tmp_path / "caddy.log").open("w") as caddy_log:
        proxy = subprocess.Popen(  # noqa: S603  # Debian's caddy, our config
            [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env=caddy_env, cwd=tmp_path, stdout=caddy_log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: _answers(proxy_port), "the TLS proxy")
        url = f"https://127.0.0.1:{proxy_port}/vault/unseal/"
        done = run({**env, "SSL_CERT_FILE": str(cert)}, "unseal", "--url", url, stdin=f"{PASSPHRASE}\n")
        assert f"{url}: the server is unsealed" in done.stdout, done.stdout + done.stderr
        wait_for(lambda: set(host.agent()["holders"]) == workers, "both workers to hold the key", SEAL_WITHIN)
        # A certificate the operator's machine does not trust is refused before anything is sent.
        run(env, "seal")
        wait_for(lambda: host.agent()["sealed"], "the seal")
        refused = run(env, "unseal", "--url", url, stdin=f"{PASSPHRASE}\n", ok=False)
        assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        assert host.agent()["sealed"]
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
