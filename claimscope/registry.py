"""Registries of stages, readers and renderers by name.

Built-ins register exactly as a plugin would: a package can add its own with
``@registry.stages.register("mystage")`` or through the entry-point group
``claimscope_stages`` (likewise ``claimscope_readers``, ``claimscope_renderers``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from .errors import Errors, PipelineError

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> object table with a decorator to fill it."""

    def __init__(self, kind: str, builtins: str | None = None) -> None:
        self.kind = kind
        #: module that registers the built-ins, imported on first look-up
        self.builtins = builtins
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(obj: T) -> T:
            self._items[name] = obj
            return obj
        return decorate

    def get(self, name: str) -> T:
        if name not in self._items:
            self._load_entry_points()
        if name not in self._items:
            raise PipelineError(Errors.E002.format(
                kind=self.kind, name=name, available=", ".join(sorted(self._items)) or "none"))
        return self._items[name]

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._items

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        if self.builtins:
            import_module(self.builtins)
        for ep in entry_points(group=f"claimscope_{self.kind}s"):
            self._items.setdefault(ep.name, ep.load())


#: Stage factories: ``factory(**config) -> Stage``.
stages: Registry[Callable[..., Any]] = Registry("stage", "claimscope.stages")
#: Readers: ``reader(path, **options) -> Iterator[Article | ReadError]``.
readers: Registry[Callable[..., Any]] = Registry("reader", "claimscope.io.readers")
#: Renderers: objects with ``extension`` and ``render(report) -> str``.
renderers: Registry[Any] = Registry("renderer", "claimscope.io.writers")
