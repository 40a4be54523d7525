"""Patch 8 in companion/patches.py, for a faster start: a trained model's
domain is read once, and is the domain Rasa's own loading gives."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.graph_components.providers.domain_provider import DomainProvider
from rasa.shared.core.domain import Domain
from rasa.shared.utils import io as rasa_io

from companion import patches
from companion.paths import ROOT

patches.install()  # as the Rasa server's entry point does (companion/server.py)

CONTEXT = ExecutionContext(GraphSchema({}), "t")


@pytest.fixture(scope="module")
def persisted(tmp_path_factory):
    """The project's domain as `rasa train` keeps it in a model."""
    folder = tmp_path_factory.mktemp("model")
    storage, resource = LocalModelStorage(folder), Resource("domain_provider")
    with storage.write_to(resource) as directory:
        Domain.load(str(ROOT / "domain")).persist(directory / "domain.yml")
    return storage, resource


def test_the_domain_is_rasa_s_read_once(persisted, monkeypatch):
    storage, resource = persisted
    rasa_s = DomainProvider.load.wrapped(DomainProvider, {}, storage, resource, CONTEXT)._domain
    reads = []
    real = rasa_io.read_yaml
    monkeypatch.setattr(rasa_io, "read_yaml", lambda *a, **k: reads.append(1) or real(*a, **k))
    ours = DomainProvider.load({}, storage, resource, CONTEXT)._domain
    assert len(reads) == 1
    assert ours.as_dict() == rasa_s.as_dict()
    assert ours.fingerprint() == rasa_s.fingerprint()
    assert ours.action_names_or_texts == rasa_s.action_names_or_texts
    assert ours.responses == rasa_s.responses


def test_a_folder_with_other_files_is_left_to_rasa(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("domain_provider")
    with storage.write_to(resource) as directory:
        (directory / "intents.yml").write_text('version: "3.1"\nintents:\n  - greet\n')
        (directory / "responses.yml").write_text('version: "3.1"\nresponses:\n  utter_hi:\n  - text: hi\n')
    domain = DomainProvider.load({}, storage, resource, CONTEXT)._domain
    assert "greet" in domain.intents and "utter_hi" in domain.responses
    rasa_s = DomainProvider.load.wrapped(DomainProvider, {}, storage, resource, CONTEXT)._domain
    assert domain.as_dict() == rasa_s.as_dict()
