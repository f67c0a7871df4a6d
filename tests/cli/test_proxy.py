"""README's production environment behind a real TLS proxy (Debian's Caddy) on loopback.

The test makes a self-signed certificate for refuge.example.org, starts `refuge serve` with the
README's environment (paths moved under tmp_path) and Caddy in front of it, then does what a
lawyer does over HTTPS: logs in (password, authenticator enrolment, code), opens a case page,
uploads a document and downloads it back. It also sends a slow anonymous upload through the
proxy while it watches the temporary directories and the data directory for its plaintext.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.test_check_deploy import readme_environment
from tests.cli.helpers import REPO, refuge_argv
from tests.cli.test_serve import free_port

HOST = "refuge.example.org"
PASSWORD = "correct horse battery staple 42"
PASSPHRASE = "a vault passphrase for the proxy test only"
CASE_FILE = REPO / "tests" / "filings" / "tr-removal.case.json"
ORG = "Proxy Test Org (fictional)"


def _caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is missing: CI must run the proxy test (.ci/run installs Debian's caddy)")
        pytest.skip("Debian's caddy is not installed (apt-get install caddy)")
    return found


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class Browser:
    """HTTPS to refuge.example.org, connected to the proxy on loopback; keeps cookies; follows nothing."""

    def __init__(self, port: int, cafile: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def _connection(self) -> http.client.HTTPSConnection:
        context = self.context

        class _Loopback(http.client.HTTPSConnection):
            def connect(self) -> None:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
                self.sock = context.wrap_socket(sock, server_hostname=HOST)

        return _Loopback(HOST, self.port, timeout=60, context=context)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        conn = self._connection()
        sent = {"Origin": self.origin, "Referer": self.origin + path, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def csrf(self) -> str:
        return self.cookies["__Host-refuge-csrf"]

    def post(self, path: str, fields: dict[str, str]) -> Any:
        import urllib.parse

        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, fields: dict[str, str], filename: str, content: bytes) -> Any:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**fields, "csrfmiddlewaretoken": self.csrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _wait(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603  # our own command
        refuge_argv(*args), input=stdin, env=env, cwd=REPO, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, f"refuge {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    caddy = _caddy()
    root = tmp_path_factory.mktemp("proxy")
    temp = root / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGE_", "DJANGO_"))}
    env.update(readme_environment())
    env["REFUGE_DATA_DIR"] = str(root / "var-lib-refuge")
    key_file = root / "secret-key"
    key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
    env["REFUGE_SECRET_KEY_FILE"] = str(key_file)
    env["TMPDIR"] = str(temp)
    env["PYTHONUNBUFFERED"] = "1"

    _run(env, "check-deploy")
    _run(env, "migrate", "--no-input")
    _run(env, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n")
    admin = ("proxyadmin", "--organisation", ORG, "--create-organisation", "--role", "admin", "--password-stdin")
    _run(env, "createuser", *admin, stdin=PASSWORD + "\n")
    _run(env, "import", str(CASE_FILE), "--organisation", ORG, "--user", "proxyadmin", stdin=f"{PASSPHRASE}\n")

    app_port, proxy_port = free_port(), free_port()
    cert, key = self_signed(root)
    caddyfile = root / "Caddyfile"
    caddyfile.write_text(
        "{\n  admin off\n  auto_https disable_redirects\n}\n"
        f"https://{HOST}:{proxy_port} {{\n  bind 127.0.0.1\n  tls {cert} {key}\n"
        f"  reverse_proxy 127.0.0.1:{app_port}\n}}\n",
        encoding="utf-8",
    )
    caddy_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root / "caddy-home"), "TMPDIR": str(temp)}
    caddy_env["XDG_DATA_HOME"] = caddy_env["XDG_CONFIG_HOME"] = str(root / "caddy-home")
    logs = root / "logs"
    logs.mkdir()
    with (logs / "server.log").open("w") as server_log, (logs / "caddy.log").open("w") as caddy_log:
        server = subprocess.Popen(  # noqa: S603  # our own command
            refuge_argv("serve", "--port", str(app_port), "--workers", "2", "--threads", "4"),
            env=env, cwd=REPO, stdout=server_log, stderr=subprocess.STDOUT,
        )
        proxy = subprocess.Popen(  # noqa: S603  # Debian's caddy, our config
            [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env=caddy_env, cwd=root, stdout=caddy_log, stderr=subprocess.STDOUT,
        )
        try:
            try:
                _wait(lambda: _answers(app_port) and _answers(proxy_port), "the server and the proxy")
            except AssertionError:
                server_log.flush()
                pytest.fail("".join(p.read_text() for p in logs.iterdir()))
            browser = Browser(proxy_port, cert)
            _wait(lambda: browser.get("/vault/unseal/").status in (200, 503), "the unseal page")
            response = browser.post("/vault/unseal/", {"passphrase": PASSPHRASE})
            assert response.status in (302, 303), response.body[:2000]
            yield {
                "browser": browser, "env": env, "root": root, "temp": temp, "logs": logs,
                "app_port": app_port, "proxy_port": proxy_port, "cafile": cert,
            }
        finally:
            for proc in (proxy, server):
                proc.terminate()
            for proc in (proxy, server):
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _totp(secret: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def _log_in(browser: Browser) -> None:
    assert browser.get("/accounts/login/").status == 200
    response = browser.post("/accounts/login/", {"username": "proxyadmin", "password": PASSWORD})
    assert response.status == 302, response.body[:2000]
    location = response.getheader("Location")
    page = browser.get(location)
    while page.status == 302:
        location = page.getheader("Location")
        page = browser.get(location)
    assert location.startswith("/accounts/enrol/"), location  # an admin enrols an authenticator first
    assert page.status == 200
    secret = re.search(rb'id="secret">([A-Z2-7 ]+)<', page.body).group(1).decode().replace(" ", "")
    response = browser.post(location, {"code": _totp(secret)})
    assert response.status == 200 and b"recovery" in response.body.lower(), response.body[:2000]
    assert browser.get("/").status == 200


def test_the_documented_production_serves_login_a_case_and_a_download_over_https(behind_proxy):
    browser: Browser = behind_proxy["browser"]
    _log_in(browser)
    cases = browser.get("/cases/")
    assert cases.status == 200
    code = re.search(rb'href="/cases/([0-9a-f-]{36})/"', cases.body).group(1).decode()
    case_page = browser.get(f"/cases/{code}/")
    assert case_page.status == 200 and b"FIL-TR-01" in case_page.body
    assert case_page.getheader("Strict-Transport-Security", "").startswith("max-age=31536000")

    content = b"%PDF-1.4\n" + secrets.token_bytes(300_000) + b"\n%%EOF\n"
    upload = browser.post_file(
        f"/cases/{code}/documents/new/", {"doc_type": "decision", "title": "Decision"}, "decision.pdf", content
    )
    assert upload.status == 302, upload.body[:3000]
    case_page = browser.get(f"/cases/{code}/")
    link = re.search(rf'href="(/cases/{code}/documents/[0-9a-f-]{{36}}/)"'.encode(), case_page.body).group(1)
    download = browser.get(link.decode())
    assert download.status == 200
    assert download.body == content


def test_only_the_trusted_proxy_may_say_https(behind_proxy):
    """From 127.0.0.1 (the proxy's address) X-Forwarded-Proto counts; from 127.0.0.2 it does not."""
    port = behind_proxy["app_port"]

    def ask(source: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        conn.request("GET", "/accounts/login/", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
        conn.close()
        return status

    assert ask("127.0.0.1") == 200
    assert ask("127.0.0.2") == 301  # plain HTTP to SECURE_SSL_REDIRECT: the header from a stranger is ignored


def _files_holding(needle: bytes, folders: list[Path], since: float) -> list[str]:
    hits = []
    for folder in folders:
        paths = folder.rglob("*") if folder.is_dir() else []
        for path in paths:
            try:
                if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue
    for shared in {Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")}:  # noqa: S108  # where a spool could land
        for path in shared.glob("*") if shared.is_dir() else []:
            try:
                if path.is_file() and path.stat().st_mtime >= since and needle in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue
    return hits


def test_a_slow_anonymous_upload_touches_no_disk_in_plaintext(behind_proxy):
    root, port = behind_proxy["root"], behind_proxy["proxy_port"]
    canary = f"CANARY-{secrets.token_hex(12)}".encode()
    chunk = (canary + b" ") * 2048  # ~60 KB, the canary in every piece
    pieces = 40  # ~2.4 MB, more than waitress ever kept in memory
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="passport.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + len(chunk) * pieces + len(tail)
    since = time.time() - 1
    hits: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            hits.extend(_files_holding(canary, [root], since))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    context = ssl.create_default_context(cafile=str(behind_proxy["cafile"]))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, context.wrap_socket(
        raw, server_hostname=HOST
    ) as sock:
        sock.sendall(
            (
                f"POST /cases/{uuid.uuid4()}/documents/new/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n"
            ).encode()
            + head
        )
        for _ in range(pieces):
            try:
                sock.sendall(chunk)
            except OSError:
                break  # the server may answer (a redirect to the login page) and close before the end
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            sock.sendall(tail)
            sock.recv(4096)
    time.sleep(0.5)
    stop.set()
    watcher.join()
    hits.extend(_files_holding(canary, [root], since))
    assert hits == []
    assert canary not in b"".join(p.read_bytes() for p in behind_proxy["logs"].iterdir())
