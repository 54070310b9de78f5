"""Pages link static files as /static/NAME?v=HASH, so nginx may let browsers keep them for a year
(deploy/nginx/center.conf): the hash is the file's content, so a changed file has a new address."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from center.web import templating
from center.web.templating import static_url

ROOT = Path(__file__).resolve().parents[2]


def test_static_url_carries_the_content_hash():
    for name in ("center.css", "center.js", "htmx.min.js", "signage.css", "signage.js", "reports.css"):
        digest = hashlib.sha256((ROOT / "static" / name).read_bytes()).hexdigest()[:12]
        assert static_url(name) == f"/static/{name}?v={digest}"


def test_a_changed_file_gets_a_new_address(tmp_path, monkeypatch):
    (tmp_path / "site.css").write_text("body { color: black; }")
    monkeypatch.setattr(templating, "STATIC_DIR", tmp_path)
    static_url.cache_clear()
    try:
        before = static_url("site.css")
        (tmp_path / "site.css").write_text("body { color: navy; }")
        static_url.cache_clear()  # a new release is a new process
        assert static_url("site.css") != before
    finally:
        static_url.cache_clear()


def test_no_template_links_a_static_file_without_its_hash():
    for template in (ROOT / "templates").rglob("*.html"):
        unversioned = re.findall(r"""(?:href|src)=["']/static/[^"'{]+["']""", template.read_text())
        assert not unversioned, f"{template.relative_to(ROOT)} links {unversioned}: use static_url()"
