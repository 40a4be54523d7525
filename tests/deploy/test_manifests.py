"""The deployment definitions: docker-compose.yml (its shape, with a schema
of our own, since Docker is not installed everywhere `make test` runs; where
it is, `make test-deploy` also runs `docker compose config`), deploy/k8s
(beyond kubernetes-validate's schema check, which `make test-deploy` runs:
probes, resources, the purge CronJob), and deploy/nginx.conf (`nginx -t`)."""

import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
K8S = [doc for doc in yaml.safe_load_all((ROOT / "deploy/k8s/conference-companion.yaml").read_text()) if doc]

DURATION = {"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?(us|ms|s|m|h))+$"}
MEMORY = {"type": "string", "pattern": r"^[0-9]+[bkmgBKMG]$"}
ENVIRONMENT = {
    "oneOf": [
        {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        {"type": "array", "items": {"type": "string"}},
    ]
}
RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"cpus": {"type": "string", "pattern": r"^[0-9.]+$"}, "memory": MEMORY},
}
# The part of the Compose specification this file uses; unknown keys are
# refused, so a misspelt key fails here instead of being ignored by Docker.
SERVICE = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["image"]}, {"required": ["build"]}],
    "properties": {
        "image": {"type": "string"},
        "build": {
            "type": "object",
            "required": ["context"],
            "additionalProperties": False,
            "properties": {"context": {"type": "string"}, "dockerfile": {"type": "string"}},
        },
        "pull_policy": {"enum": ["always", "never", "missing", "build"]},
        "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
        "command": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "environment": ENVIRONMENT,
        "depends_on": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["condition"],
                        "additionalProperties": False,
                        "properties": {
                            "condition": {
                                "enum": ["service_started", "service_healthy", "service_completed_successfully"]
                            }
                        },
                    },
                },
            ]
        },
        "healthcheck": {
            "type": "object",
            "required": ["test"],
            "additionalProperties": False,
            "properties": {
                "test": {
                    "type": "array",
                    "minItems": 2,
                    "items": {"type": "string"},
                    "prefixItems": [{"enum": ["CMD", "CMD-SHELL"]}],
                },
                "interval": DURATION,
                "timeout": DURATION,
                "start_period": DURATION,
                "retries": {"type": "integer", "minimum": 1},
            },
        },
        "deploy": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "replicas": {"type": "integer", "minimum": 1},
                "resources": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"reservations": RESOURCES, "limits": RESOURCES},
                },
            },
        },
        "ports": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^(([0-9]{1,3}\.){3}[0-9]{1,3}:)?[0-9]+:[0-9]+$"},
        },
        "volumes": {"type": "array", "items": {"type": "string"}},
    },
}
COMPOSE_SCHEMA = {
    "type": "object",
    "required": ["services"],
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "properties": {"services": {"type": "object", "additionalProperties": SERVICE}, "volumes": {"type": "object"}},
}


def test_compose_file_has_the_shape_of_the_compose_specification():
    jsonschema.validate(COMPOSE, COMPOSE_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_the_schema_refuses_a_misspelt_or_wrong_setting():
    for broken in (
        {"restart": "sometimes"},
        {"helthcheck": {"test": ["CMD", "true"]}},
        {"deploy": {"resources": {"reservations": {"memory": "lots"}}}},
    ):
        service = dict(COMPOSE["services"]["redis"], **broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"services": {"redis": service}}, COMPOSE_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_every_compose_service_restarts_and_reserves_resources():
    for name, service in COMPOSE["services"].items():
        assert service.get("restart") in ("always", "unless-stopped"), name
        assert service["deploy"]["resources"]["reservations"], name
        if name != "purge":
            assert service["healthcheck"]["test"], name


def test_compose_rasa_is_healthy_only_when_the_model_answers_and_nginx_waits_for_it():
    services = COMPOSE["services"]
    assert "/webhooks/ready/" in " ".join(services["rasa"]["healthcheck"]["test"])
    assert services["nginx"]["depends_on"]["rasa"]["condition"] == "service_healthy"
    for variable, value in {"ENDPOINTS": "endpoints.production.yml", "TICKET_LOCK_LIFETIME": "20"}.items():
        assert services["rasa"]["environment"][variable] == value
        assert services["purge"]["environment"][variable] == value


def k8s(kind, name):
    [doc] = [d for d in K8S if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def test_every_k8s_container_has_probes_and_resource_requests():
    for name in ("actions", "rasa"):
        spec = k8s("Deployment", name)["spec"]["template"]["spec"]
        assert spec["restartPolicy"] == "Always"
        for container in spec["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert container[probe], (name, probe)
            assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    rasa = k8s("Deployment", "rasa")["spec"]["template"]["spec"]["containers"][0]
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/webhooks/ready/"
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/"


def test_the_k8s_purge_runs_nightly_from_the_rasa_image_with_the_same_settings():
    job = k8s("CronJob", "purge")["spec"]
    assert re.fullmatch(r"[0-9]+ [0-9]+ \* \* \*", job["schedule"])
    assert job["concurrencyPolicy"] == "Forbid"
    container = job["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    rasa = k8s("Deployment", "rasa")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == rasa["image"]
    assert container["envFrom"] == rasa["envFrom"]
    assert {e["name"]: e["value"] for e in container["env"]}["ENDPOINTS"] == "endpoints.production.yml"
    assert container["resources"]["requests"]


def test_the_rasa_image_has_what_the_purge_reads():
    dockerfile = (ROOT / "deploy/Dockerfile.rasa").read_text()
    copied = " ".join(line for line in dockerfile.splitlines() if line.startswith("COPY"))
    for needed in (
        "scripts/purge.py",
        "actions/",
        "profile.yml",
        "content/",
        "companion/",
        "endpoints.production.yml",
        "domain/",
    ):
        assert needed in copied, needed
    assert "ENDPOINTS=endpoints.production.yml" in dockerfile


def test_nginx_conf_is_valid_and_retries_another_replica(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is needed (make test-deploy installs it from Debian's packages)"
    conf = (ROOT / "deploy/nginx.conf").read_text()
    assert "non_idempotent" in conf and "max_fails=1" in conf
    # Outside Docker the name "rasa" does not resolve; the rest is checked as it is.
    local = conf.replace("server rasa:5005", "server 127.0.0.1:5005").replace("listen 80;", "listen 127.0.0.1:18099;")
    local = f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n" + local
    (tmp_path / "nginx.conf").write_text(local)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
