"""Schemathesis over the JSON API of the running app (uvicorn with the demo center, on PostgreSQL,
where odd input used to answer 500): as a visitor, a member and a manager, every operation under
/api/ with schema-valid and schema-violating input never answers a server error, and answers
only what the schema says: a documented status code, its content type and a body that fits its
schema. The schema itself is for staff, so it is read as the manager."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from types import ModuleType

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.browser.conftest import _serve

EXAMPLES = int(os.environ.get("CENTER_FUZZ_EXAMPLES", "25"))
ROLES = {"visitor": None, "member": "member", "manager": "manager"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def harness(request: pytest.FixtureRequest) -> ModuleType:
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "conftest.py")
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == path:
            return plugin  # type: ignore[return-value]
    raise RuntimeError("tests/conftest.py is not loaded")


@pytest.fixture(scope="module")
def postgres_server(harness: ModuleType, tmp_path_factory) -> Iterator[str]:
    with _serve("postgres", harness, tmp_path_factory.mktemp("fuzz-postgres"), clock=None) as url:
        yield url


def signed_in(base_url: str, username: str | None) -> requests.Session:
    """A session as a browser would have it: the CSRF cookie, logged in unless a visitor."""
    session = requests.Session()
    session.get(f"{base_url}/login", timeout=10)
    token = session.cookies.get("csrftoken")
    assert token, "no csrftoken cookie"
    if username:
        answer = session.post(
            f"{base_url}/login",
            data={"username": username, "password": "demo-password", "_csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303, answer.text[:300]
    session.headers["x-csrftoken"] = token
    return session


def api_operations(base_url: str) -> list:
    document = signed_in(base_url, "manager").get(f"{base_url}/schema/openapi.json", timeout=20)
    assert document.status_code == 200, document.text[:300]
    schema = schemathesis.openapi.from_dict(document.json()).include(path_regex=r"^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no /api/ operation"
    return operations


@pytest.mark.parametrize("role", list(ROLES))
def test_every_api_operation_answers_any_input_as_its_schema_says_and_never_with_a_server_error(
    postgres_server: str, role: str
):
    session = signed_in(postgres_server, ROLES[role])
    failures: list[str] = []
    for operation in api_operations(postgres_server):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def exercise(case) -> None:
                response = case.call(base_url=postgres_server, session=session, timeout=20)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {response.request.url} -> {response.status_code}")
                case.validate_response(response, checks=CHECKS)

            try:
                exercise()
            except Unsatisfiable:
                continue  # no schema-violating input exists for this operation (e.g. no parameters)
            except Exception as error:  # keep going: report every failing operation at once
                summary = re.sub(r"\s+", " ", str(error))[:300]
                failures.append(f"{operation.label} ({mode.value}): {summary}")
    assert not failures, "\n".join(failures)
