"""The deployment as docs/deploy.md sets it up: the real app (`center run`, a fresh SQLite
database, CENTER_HTTPS=1, CENTER_TRUSTED_PROXIES=127.0.0.1) behind Debian's nginx running
deploy/nginx/center.conf, with a self-signed certificate, checked over HTTPS.

nginx runs as the current user from a temporary prefix on free ports. Clients connect from
different loopback addresses (127.0.0.2, 127.0.0.3) so that nginx sees two visitors. Without
/usr/sbin/nginx (apt-get install nginx) or openssl the test skips; under CI=true it fails instead
(.ci/run installs both)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "center.conf"
NGINX = Path("/usr/sbin/nginx")
HOST = "center.test"
START_SECONDS = 180  # generous: CI machines and shared ones can be slow to start the app
APPLICATIONS_PER_HOUR = 5  # Settings.group_applications_per_hour


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError, httpx.HTTPError):
            if check():
                return
        time.sleep(0.2)
    pytest.fail(f"{what} did not come up within {START_SECONDS}s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for center.test and 127.0.0.1, valid for two days, and its key."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
            "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def site_config(app_port: int, http_port: int, https_port: int, cert: Path, key: Path, acme: Path) -> str:
    """deploy/nginx/center.conf with the values docs/deploy.md tells the city to replace."""
    text = SITE.read_text()
    replacements = {
        "listen [::]:80;\n": "",
        "listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/etc/ssl/center/fullchain.pem": str(cert),
        "/etc/ssl/center/privkey.pem": str(key),
        "/srv/center/app/static/": f"{ROOT / 'static'}/",
        "/var/www/html": str(acme),
        "center.example.jp": HOST,
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/center.conf no longer has {old!r}: update this test and the docs"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """A minimal nginx.conf around the site, everything under the temporary prefix."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers stay the current user
    temp = "\n".join(
        f"    {name}_temp_path {prefix / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
        "events { worker_connections 128; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


@dataclass
class Stack:
    https: str  # https://127.0.0.1:PORT through nginx
    http: str  # plain http through nginx (redirects)
    app: str  # the app directly, as a client on the machine could reach it
    https_port: int
    cert: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    need(NGINX.exists(), f"the deployment test needs nginx at {NGINX} (apt-get install nginx)")
    need(shutil.which("openssl") is not None, "the deployment test needs openssl (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("deploy")
    cert, key = self_signed_certificate(folder)
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("CENTER_")}
    env.update(
        CENTER_DATA_DIR=str(folder / "data"),
        CENTER_PDF_WARM_UP="0",
        CENTER_SECRET_KEY=secrets.token_urlsafe(32),
        CENTER_HTTPS="1",
        CENTER_TRUSTED_PROXIES="127.0.0.1",
        CENTER_CHEAP_PASSWORD_HASH="1",
        CENTER_DEMO="0",
        CENTER_SCHEDULER="0",
        CENTER_HOST="127.0.0.1",
        CENTER_PORT=str(app_port),
        CENTER_WORKERS="1",
        CENTER_BASE_URL=f"https://{HOST}",
        PYTHONUNBUFFERED="1",
    )
    app_log, nginx_log = folder / "app.log", folder / "error.log"
    app = nginx = None
    try:
        with app_log.open("w") as out:
            app = subprocess.Popen(
                [sys.executable, "-m", "center.cli", "run"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        app_url = f"http://127.0.0.1:{app_port}"
        _wait_for(lambda: httpx.get(f"{app_url}/healthz").status_code == 200, app, app_log, "the app")

        (folder / "acme").mkdir()
        site = folder / "center.conf"
        site.write_text(site_config(app_port, http_port, https_port, cert, key, folder / "acme"))
        conf = folder / "nginx.conf"
        conf.write_text(main_config(folder, site))
        command = [str(NGINX), "-p", f"{folder}/", "-c", str(conf), "-e", str(nginx_log)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        https_url = f"https://127.0.0.1:{https_port}"
        _wait_for(
            lambda: httpx.get(f"{https_url}/healthz", verify=_tls(cert)).status_code == 200,
            nginx,
            nginx_log,
            "nginx",
        )
        yield Stack(https_url, f"http://127.0.0.1:{http_port}", app_url, https_port, cert)
    finally:
        _stop(nginx)
        _stop(app)


def _tls(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


@contextlib.contextmanager
def visitor(stack: Stack, address: str, base_url: str | None = None) -> Iterator[httpx.Client]:
    """A browser at `address` (a loopback address of its own), through nginx unless told."""
    transport = httpx.HTTPTransport(local_address=address, verify=_tls(stack.cert))
    with httpx.Client(transport=transport, base_url=base_url or stack.https, timeout=30) as client:
        yield client


def apply(client: httpx.Client, token: str, **headers: str) -> httpx.Response:
    """One valid group application (the public form with a rate limit per address)."""
    name = f"v{secrets.token_hex(4)}"
    data = {
        "name": f"テスト団体{name}",
        "name_kana": "てすとだんたい",
        "representative": "山田 花子",
        "contact_phone": "0144-32-1234",
        "contact_email": "group@example.jp",
        "address": "苫小牧市若草町3丁目3-8",
        "activity": "毎週木曜日に集まっています。",
        "member_count": "5",
        "reduction": "none",
        "in_city": "yes",
        "commercial": "no",
        "member0_username": name,
        "member0_display_name": "山田 花子",
        "member0_password": "correct horse battery",
        "member0_confirm": "correct horse battery",
        "_csrf_token": token,
    }
    return client.post("/groups/apply", data=data, headers=headers)


def csrf_token(client: httpx.Client) -> str:
    client.get("/groups/apply")
    token = client.cookies.get("csrftoken")
    assert token, "no csrftoken cookie"
    return token


def test_pages_over_https_with_hsts_and_secure_cookies(stack: Stack):
    with visitor(stack, "127.0.0.2") as browser:
        home = browser.get("/")
        assert home.status_code == 200
        assert "苫小牧市市民活動センター" in home.text
        assert home.headers["server"].startswith("nginx")
        assert home.headers["strict-transport-security"].startswith("max-age=")
        form = browser.get("/groups/apply")
        assert form.status_code == 200
        cookies = home.headers.get_list("set-cookie") + form.headers.get_list("set-cookie")
        assert any(cookie.startswith("csrftoken=") for cookie in cookies), cookies
        for cookie in cookies:
            assert re.search(r";\s*secure", cookie, re.IGNORECASE), cookie


def test_plain_http_moves_to_https(stack: Stack):
    answer = httpx.get(f"{stack.http}/groups/apply?x=1", follow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["location"] == "https://127.0.0.1/groups/apply?x=1"


def test_http2_is_offered(stack: Stack):
    context = _tls(stack.cert)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}


def test_static_files_come_from_nginx_with_long_cache_headers(stack: Stack):
    with visitor(stack, "127.0.0.2") as browser:
        page = browser.get("/").text
        href = re.search(r'href="(/static/center\.css\?v=[0-9a-f]+)"', page)
        assert href, "the page does not link a versioned style sheet"
        answer = browser.get(href.group(1))
        assert answer.status_code == 200
        assert answer.content == (ROOT / "static" / "center.css").read_bytes()
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-type"].startswith("text/css")
        # The app puts its Content-Security-Policy on everything it serves, its static files too:
        # without it, nginx answered from disk.
        assert "content-security-policy" not in answer.headers
        direct = httpx.get(f"{stack.app}{href.group(1)}")
        assert "content-security-policy" in direct.headers
        # Served by the app itself (no nginx in front), they may be kept as long.
        assert direct.headers["cache-control"] == "max-age=31536000, public, immutable"


def test_rate_limit_counts_each_real_client_and_spoofing_gains_nothing(stack: Stack):
    with visitor(stack, "127.0.0.2") as first, visitor(stack, "127.0.0.3") as second:
        token = csrf_token(first)
        for _ in range(APPLICATIONS_PER_HOUR):
            sent = apply(first, token)
            assert sent.status_code == 303, sent.text[:500]
            assert all(re.search(r";\s*secure", c, re.I) for c in sent.headers.get_list("set-cookie"))
        refused = apply(first, token)
        assert refused.status_code == 429
        assert "retry-after" in refused.headers

        # Another visitor is not held back by the first one's limit.
        accepted = apply(second, csrf_token(second))
        assert accepted.status_code == 303, accepted.text[:500]

        # The first visitor claiming another address through nginx: nginx appends the real one.
        assert apply(first, token, **{"X-Forwarded-For": "127.0.0.9"}).status_code == 429

    # The first visitor going round nginx, straight at the app, claiming to be a proxy's client:
    # it is no trusted proxy, so its own address counts, and that one is used up.
    with visitor(stack, "127.0.0.2", base_url=stack.app) as direct:
        headers = {
            "X-Forwarded-For": "127.0.0.10",
            "X-Forwarded-Proto": "https",
            "Cookie": f"csrftoken={token}",
        }
        assert apply(direct, token, **headers).status_code == 429
    # A fresh address straight at the app still gets in, counted as itself.
    with visitor(stack, "127.0.0.4", base_url=stack.app) as direct:
        headers = {"X-Forwarded-For": "127.0.0.2", "Cookie": f"csrftoken={token}"}
        assert apply(direct, token, **headers).status_code == 303
