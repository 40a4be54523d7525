"""What our NLU steps share as Rasa graph components: how each is built
(`create`), read back from a trained model (`load`) and where training keeps
what it learnt.

BuiltFromConfig: a step that is not trained; it is built from its config
(the defaults, then config.yml's values) at start-up.

TrainedStep: a step trained with the model. `create` builds it from its
config and its place in the model; `load` builds it again with what
`read_trained` reads from that place, or without it when the step was not
trained (`NOT_TRAINED`: which errors mean that; `not_trained` says so).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Dict, Tuple, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class BuiltFromConfig(GraphComponent):
    """A step that is not trained: it is built from its config at start-up."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BuiltFromConfig:
        return cls({**cls.get_default_config(), **config})


class TrainedStep(GraphComponent):
    """A step trained with the model, kept in the model at `resource`."""

    NOT_TRAINED: Tuple[Type[Exception], ...] = (ValueError, OSError)

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TrainedStep:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TrainedStep:
        try:
            with model_storage.read_from(resource) as folder:
                trained = cls.read_trained(folder)
        except cls.NOT_TRAINED as error:
            cls.not_trained(error)
            trained = {}
        return cls(config, model_storage, resource, **trained)

    @classmethod
    def read_trained(cls, folder: Path) -> Dict[str, Any]:
        """What training kept in `folder`, as the constructor's keyword arguments."""
        raise NotImplementedError

    @classmethod
    def not_trained(cls, error: Exception) -> None:
        """Called when `load` finds nothing it can read: the step stands as built."""

    def kept(self) -> AbstractContextManager[Path]:
        """The folder in the model where training keeps what it learnt."""
        return self._storage.write_to(self._resource)  # type: ignore[union-attr,arg-type]
