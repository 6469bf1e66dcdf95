"""infra/ must declare what the code relies on; this keeps the two from drifting apart.

Providers cannot be downloaded here, so `terraform validate` cannot run: parsing every file
with python-hcl2 and checking it against the code is the gate (plus `terraform fmt -check` in
`make test` when the binary exists).
"""

from __future__ import annotations

import ast
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
        assert {
            "description",
            "public",
            "memory",
            "timeout_seconds",
            "max_instances",
            "enqueues",
        } <= set(spec), name
        assert isinstance(spec["enqueues"], list), name
        assert set(spec.get("secrets", [])) <= {
            "twilio-auth-token",
            "gemini-api-key",
            "microsoft-client-secret",
            "notion-token",
            "notion-client-secret",
            "youtube-api-key",
            "token-encryption-key",
            "api-signing-key",
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


def test_the_lost_follow_up_catch_up_query_has_its_index(terraform):
    index = terraform["resource"]["google_firestore_index"]["occurrences_follow_ups_due"]
    assert index["query_scope"] == "COLLECTION_GROUP"
    assert index["collection"] == "reminder_occurrences"
    fields = [f["field_path"] for f in index["fields"]]
    assert fields == ["status", "follow_up_due_at", "__name__"]


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
        "calendar_sync": {"tick"},
        "mail_triage": {"tick"},
        "notion_sync": {"tick"},
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
        "calendar_sync": (stack.FUNCTIONS_DIR / "calendar_sync" / "main.py").read_text(),
        "mail_triage": (stack.FUNCTIONS_DIR / "mail_triage" / "main.py").read_text(),
        "notion_sync": (stack.FUNCTIONS_DIR / "notion_sync" / "main.py").read_text(),
    }
    for function, actions in handled.items():
        for action in actions:
            assert f'"{action}"' in sources[function], (function, action)


def test_outputs_include_the_webhook_url_for_twilio(terraform):
    assert {"webhook_url", "api_url", "page_url", "oauth_redirect_url"} <= set(terraform["output"])


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


# --- Security: ingress, the queue check, IAM scope, the bundle bucket ---

QUEUE_CHECKS = {"queue_triggered", "authenticate_caller"}


def names_used(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def declared_functions() -> dict[str, Any]:
    return {
        name: spec
        for name, spec in infra_json("functions.json").items()
        if (stack.FUNCTIONS_DIR / name / "main.py").exists()
    }


def test_no_public_function_uses_the_queue_check():
    """The queue check trusts a SIGNATURE_REMOVED_BY_GOOGLE token on its claims where the
    platform verified it; a public function has no such check in front, so it must never
    authenticate callers that way (sms_webhook checks Twilio's signature; oauth and api will
    check user tokens)."""
    for name, spec in declared_functions().items():
        uses_queue_check = bool(names_used(stack.FUNCTIONS_DIR / name / "main.py") & QUEUE_CHECKS)
        if spec["public"]:
            assert not uses_queue_check, f"public function {name} uses the queue check"
    assert declared_functions()["sms_webhook"]["public"] is True


def private_function_expression(terraform) -> tuple[str, str]:
    [function] = terraform["resource"]["google_cloudfunctions2_function"].values()
    service = function["service_config"][0]
    return service["ingress_settings"], service["environment_variables"]


def test_only_private_functions_trust_platform_verified_tokens(terraform):
    _, env = private_function_expression(terraform)
    assert "local.common_env" in env
    assert 'NUDGE_CALLERS_VERIFIED_BY_PLATFORM = each.value.public ? "false" : "true"' in env
    assert "CALLERS_VERIFIED" not in (stack.INFRA_DIR / "main.tf").read_text()  # not common
    # ...and the invoker IAM that makes that true covers exactly the private functions.
    invoker = terraform["resource"]["google_cloud_run_service_iam_member"]["invoker"]
    assert "!f.public" in invoker["for_each"]
    assert invoker["member"] == "serviceAccount:${google_service_account.invoker.email}"


def test_private_queue_and_cron_targets_are_internal_only(terraform):
    ingress, _ = private_function_expression(terraform)
    assert ingress == (
        '${each.value.public || contains(local.operator_functions, each.key) ? "ALLOW_ALL"'
        ' : "ALLOW_INTERNAL_ONLY"}'
    )
    main_tf = (stack.INFRA_DIR / "main.tf").read_text()
    assert 'operator_functions = toset(["health"])' in main_tf
    functions = declared_functions()
    # The one exception takes no queue or cron calls: every task target stays internal-only.
    targets = {job.function for job in load_jobs()}
    targets |= {
        name
        for name in functions
        if names_used(stack.FUNCTIONS_DIR / name / "main.py") & QUEUE_CHECKS
    }
    assert "health" not in targets
    for name in targets:
        assert not functions[name]["public"], name


def enqueue_calls(function: str) -> set[str]:
    """Queues the code can enqueue onto from `function`: every `enqueue(settings.queues.X, ...)`
    in the nudge modules its main.py imports, directly or not (lazy imports included)."""
    defaults = Settings().queues.model_dump()
    seen: set[Path] = set()
    todo = [stack.FUNCTIONS_DIR / function / "main.py"]
    queues: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for module in modules:
                if module.split(".")[0] != "nudge":
                    continue
                base = stack.REPO_ROOT / "shared" / Path(*module.split("."))
                for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                    if candidate.exists():
                        todo.append(candidate)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "enqueue"
                and node.args
            ):
                first = node.args[0]
                assert isinstance(first, ast.Attribute), f"{path}: name the queue by its setting"
                assert isinstance(first.value, ast.Attribute) and first.value.attr == "queues"
                queues.add(defaults[first.attr])
    return queues


def test_each_function_may_enqueue_onto_exactly_the_queues_its_code_uses():
    for name, spec in declared_functions().items():
        assert set(spec["enqueues"]) == enqueue_calls(name), name
        assert set(spec["enqueues"]) <= set(infra_json("queues.json")), name
    assert enqueue_calls("sms_webhook") == {"agent-turns"}


def test_queue_and_firestore_roles_are_not_project_wide(terraform):
    project_roles = terraform["resource"]["google_project_iam_member"]
    assert all(r["role"] != "roles/cloudtasks.enqueuer" for r in project_roles.values())
    enqueuer = terraform["resource"]["google_cloud_tasks_queue_iam_member"]["enqueuer"]
    assert enqueuer["role"] == "roles/cloudtasks.enqueuer"
    assert enqueuer["name"] == "${google_cloud_tasks_queue.queue[each.value.queue].name}"
    assert "f.enqueues" in enqueuer["for_each"]
    firestore_user = project_roles["firestore_user"]
    assert firestore_user["role"] == "roles/datastore.user"
    [condition] = firestore_user["condition"]
    assert condition["expression"] == (
        'resource.name == \\"${google_firestore_database.default.id}\\"'
    )
    act_as = terraform["resource"]["google_service_account_iam_member"]["act_as_invoker"]
    assert "length(f.enqueues) > 0" in act_as["for_each"]


def test_the_bundle_bucket_enforces_public_access_prevention(terraform):
    bucket = terraform["resource"]["google_storage_bucket"]["bundles"]
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["uniform_bucket_level_access"] is True
