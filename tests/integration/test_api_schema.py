"""Property tests from the OpenAPI document: schemathesis generates requests for every
operation (valid and invalid bodies, queries and paths) and calls the api function's WSGI app
directly with a valid token. No generated request may get a 5xx, and every answer must match
the document (declared status codes, bodies shaped as the schemas say).

schemathesis' pytest plugin (`from_fixture`) does not run under pytest 9, so each operation's
strategy is driven with hypothesis here; examples are bounded to keep the run under a minute.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import clear_caches
from tests.support.api import API_SOURCE, new_person

EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}
# A chat runs a whole agent turn (with its settle window): fewer of those.
SLOW = {"/v1/chat": 2}


@pytest.fixture
def api_schema(local_env, task_queue):
    import functions_framework

    # Generated requests come fast: the limits are not what is under test here.
    os.environ["NUDGE_API_REQUESTS_PER_MINUTE"] = "100000"
    os.environ["NUDGE_CHAT_PER_MINUTE"] = "100000"
    clear_caches()
    app = functions_framework.create_app(target="api", source=str(API_SOURCE))
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", app)


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_no_generated_request_gets_a_server_error(api_schema, mode):
    from nudge.store import Store

    person = new_person(Store.default())
    checks = [not_a_server_error]
    if mode == GenerationMode.POSITIVE:
        checks += [status_code_conformance, response_schema_conformance]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        if operation.path == "/v1/account/delete":
            continue  # its second call deletes the account the other operations run as

        @settings(
            max_examples=SLOW.get(operation.path, EXAMPLES[mode]),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.call_and_validate(headers=person.auth, checks=checks)

        call()


def test_deleting_by_generated_requests_needs_the_confirm_token(api_schema):
    from nudge.store import Store

    person = new_person(Store.default())
    operation = api_schema["/v1/account/delete"]["POST"]

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case):
        response = case.call_and_validate(headers=person.auth, checks=[not_a_server_error])
        assert response.status_code in (200, 400)

    call()
    assert Store.default().users.get(person.user_id) is not None
