"""Settings parsing, and the lists that must agree across code, local stack and infra/."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime

import pytest

from emulators import stack
from nudge.settings import Settings


def test_settings_read_the_environment_with_documented_names(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-proj")
    monkeypatch.setenv("NUDGE_REGION", "europe-west1")
    monkeypatch.setenv("NUDGE_QUEUE_REMINDERS", "reminders-v2")
    monkeypatch.setenv("NUDGE_EMBEDDING_DIMENSION", "768")
    monkeypatch.setenv("NUDGE_TWILIO_AUTH_TOKEN", "zq-secret-value")
    settings = Settings()
    assert settings.project_id == "my-proj"
    assert settings.queues.reminders == "reminders-v2"
    assert settings.embedding_dimension == 768
    assert settings.function_url("agent_turn") == (
        "https://europe-west1-my-proj.cloudfunctions.net/agent_turn"
    )
    assert "zq-secret-value" not in repr(settings)  # secrets never print


def test_explicit_function_urls_win_over_the_template(monkeypatch):
    monkeypatch.setenv("NUDGE_FUNCTION_URLS", json.dumps({"health": "http://127.0.0.1:9"}))
    settings = Settings()
    assert settings.function_url("health") == "http://127.0.0.1:9"
    assert settings.function_url("api").endswith("cloudfunctions.net/api")


def test_a_bad_setting_fails_loudly(monkeypatch):
    monkeypatch.setenv("NUDGE_TASK_AUTH", "none")
    with pytest.raises(ValueError):
        Settings()


def test_every_function_directory_has_a_local_port_and_entry_point():
    functions = stack.discover_functions()
    assert functions, "no functions found"
    ports = stack.function_ports()
    assert sorted(ports) == functions
    assert len(set(ports.values())) == len(ports), "two functions share a port"
    for name in functions:
        source = (stack.FUNCTIONS_DIR / name / "main.py").read_text()
        assert f"def {name}(" in source, f"functions/{name}/main.py must define {name}()"
        assert (stack.FUNCTIONS_DIR / name / "requirements.txt").exists()


def test_queue_names_in_settings_match_infra():
    declared = set(json.loads((stack.INFRA_DIR / "queues.json").read_text()))
    assert set(Settings().queues.model_dump().values()) == declared


def test_cron_jobs_file_is_valid_and_targets_existing_functions():
    from emulators.cron import load_jobs, next_fire_time

    functions = set(stack.discover_functions())
    for job in load_jobs():
        assert job.function in functions
        assert next_fire_time(job, datetime.now(UTC)) > datetime.now(UTC)


def test_local_env_has_no_real_looking_secrets():
    env = stack.read_env_file()
    assert env["NUDGE_ENVIRONMENT"] == "local"
    assert env["NUDGE_TASK_SECRET"].startswith("local-only")
    assert env["NUDGE_TWILIO_AUTH_TOKEN"].startswith("local-only")
    assert "NUDGE_GEMINI_API_KEY" not in env


def test_pyproject_packages_cover_every_package_directory():
    pyproject = tomllib.loads((stack.REPO_ROOT / "pyproject.toml").read_text())
    declared = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(stack.REPO_ROOT / "shared").parts)
        for p in (stack.REPO_ROOT / "shared").rglob("__init__.py")
    }
    assert found <= declared, f"add {sorted(found - declared)} to pyproject.toml"
