"""infra/ must declare what the code relies on; this keeps the two from drifting apart.

Providers cannot be downloaded here, so `terraform validate` cannot run: parsing every file
with python-hcl2 and checking it against the code is the gate (plus `terraform fmt -check` in
`make test` when the binary exists).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest

from emulators import stack
from emulators.cron import load_jobs
from nudge.settings import Settings

PUBLIC_FUNCTIONS = {"sms_webhook", "oauth", "api"}


def unquote(value: Any) -> Any:
    """python-hcl2 keeps quotes around labels and string literals; drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    return value


@pytest.fixture(scope="module")
def terraform() -> dict[str, Any]:
    merged: dict[str, Any] = {"resource": {}, "variable": {}, "output": {}, "data": {}}
    tf_files = sorted(stack.INFRA_DIR.glob("*.tf"))
    assert tf_files
    for path in tf_files:
        parsed = unquote(hcl2.load(path.open()))
        for block_type in ("resource", "data"):
            for block in parsed.get(block_type, []):
                for kind, named in block.items():
                    merged[block_type].setdefault(kind, {}).update(named)
        for block_type in ("variable", "output"):
            for block in parsed.get(block_type, []):
                merged[block_type].update(block)
    return merged


def infra_json(name: str) -> dict[str, Any]:
    return json.loads(Path(stack.INFRA_DIR / name).read_text())


def test_every_function_directory_is_declared_once_with_its_entry_point(terraform):
    declared = infra_json("functions.json")
    assert sorted(declared) == stack.discover_functions()
    [resource] = terraform["resource"]["google_cloudfunctions2_function"].values()
    assert resource["for_each"] == "${local.functions}"
    assert resource["build_config"][0]["entry_point"] == "${each.key}"
    assert resource["name"] == "${each.key}"


def test_every_function_has_the_settings_terraform_reads():
    for name, spec in infra_json("functions.json").items():
        assert {"description", "public", "memory", "timeout_seconds", "max_instances"} <= set(
            spec
        ), name
        assert set(spec.get("secrets", [])) <= {
            "twilio-auth-token",
            "gemini-api-key",
            "microsoft-client-secret",
            "notion-token",
            "youtube-api-key",
            "token-encryption-key",
        }


def test_only_the_three_public_functions_grant_all_users(terraform):
    public = {name for name, spec in infra_json("functions.json").items() if spec["public"]}
    assert public <= PUBLIC_FUNCTIONS
    all_users = [
        resource
        for kind in (
            "google_cloud_run_service_iam_member",
            "google_cloudfunctions2_function_iam_member",
        )
        for resource in terraform["resource"].get(kind, {}).values()
        if resource.get("member") == "allUsers"
    ]
    assert len(all_users) == 1
    assert "f.public" in all_users[0]["for_each"]


def test_queues_declared_match_the_code(terraform):
    queue = terraform["resource"]["google_cloud_tasks_queue"]["queue"]
    assert queue["for_each"] == "${local.queues}"
    assert set(infra_json("queues.json")) == set(Settings().queues.model_dump().values())


def test_cron_jobs_are_declared_from_the_same_list_the_local_runner_reads(terraform):
    job = terraform["resource"]["google_cloud_scheduler_job"]["job"]
    assert job["for_each"] == "${local.cron_jobs}"
    oidc = job["http_target"][0]["oidc_token"][0]
    assert oidc["service_account_email"] == "${google_service_account.invoker.email}"
    functions = set(infra_json("functions.json"))
    for cron_job in load_jobs():
        assert cron_job.function in functions


def test_vector_index_dimension_equals_the_embedding_dimension_default(terraform):
    indexes = terraform["resource"]["google_firestore_index"]
    for name in ("memories_vector", "memories_vector_history"):
        fields = {f["field_path"]: f for f in indexes[name]["fields"]}
        assert fields["embedding"]["vector_config"][0]["dimension"] == "${var.embedding_dimension}"
    active_only = {f["field_path"] for f in indexes["memories_vector"]["fields"]}
    assert {"__name__", "active"} <= active_only
    dimension = terraform["variable"]["embedding_dimension"]["default"]
    assert dimension == Settings().embedding_dimension


def test_ttl_policies_cover_dedup_markers_and_idempotency_records(terraform):
    ttl = terraform["resource"]["google_firestore_field"]["ttl"]
    assert {"dedup_markers", "idempotency_records"} <= set(ttl["for_each"])


def test_bundle_object_name_carries_the_content_hash(terraform):
    bundle = terraform["resource"]["google_storage_bucket_object"]["bundle"]
    assert "output_sha256" in bundle["name"]


def test_every_cron_action_is_one_its_function_handles():
    """The code's cron entry points and infra/cron_jobs.json name the same actions."""
    handled = {
        "reminders": {"catch_up", "horizon"},
        "planner": {"tick"},
        "memory_consolidation": {"fan_out"},
        "agent_turn": {"sweep"},
    }
    declared: dict[str, set[str]] = {}
    for job in load_jobs():
        declared.setdefault(job.function, set()).add(job.body["action"])
    assert declared == handled
    sources = {
        "reminders": (stack.REPO_ROOT / "shared/nudge/reminders/handler.py").read_text(),
        "planner": (stack.FUNCTIONS_DIR / "planner" / "main.py").read_text(),
        "memory_consolidation": (
            stack.FUNCTIONS_DIR / "memory_consolidation" / "main.py"
        ).read_text(),
        "agent_turn": (stack.FUNCTIONS_DIR / "agent_turn" / "main.py").read_text(),
    }
    for function, actions in handled.items():
        for action in actions:
            assert f'"{action}"' in sources[function], (function, action)


def test_outputs_include_the_webhook_url_for_twilio(terraform):
    assert {"webhook_url", "api_url", "oauth_redirect_url"} <= set(terraform["output"])


def _seconds(duration: str) -> float:
    assert duration.endswith("s")
    return float(duration[:-1])


def test_a_crashed_turn_is_retried_after_its_lease_and_a_live_one_never_taken_over():
    """The turn lease (and the idempotency record's in-progress expiry) outlives the
    agent_turn function's timeout, and the agent-turns queue keeps retrying past it."""
    settings = Settings()
    timeout = infra_json("functions.json")["agent_turn"]["timeout_seconds"]
    assert settings.turn_lease_seconds > timeout
    queue = infra_json("queues.json")["agent-turns"]
    backoff, elapsed = _seconds(queue["min_backoff"]), 0.0
    for _ in range(queue["max_attempts"] - 1):
        elapsed += backoff
        backoff = min(backoff * 2, _seconds(queue["max_backoff"]))
    assert elapsed > settings.turn_lease_seconds + 60  # at least one retry after the takeover
