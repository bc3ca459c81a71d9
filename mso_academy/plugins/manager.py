"""One plugin manager per app: discovery, enable/disable, isolation of broken plugins, and the registries.

Built-in behaviour comes from `DEFAULT_PLUGINS`, third-party plugins from the entry-point group ``mso_academy``.
A plugin that fails to import or register is logged and listed as failed; the app still starts. Two plugins
claiming one key is a configuration error and stops the start with a message naming both.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points, version
from pathlib import Path
from typing import Any

import pluggy
from flask import Flask, current_app

from mso_academy.plugins import hookspecs
from mso_academy.plugins.api import PROJECT_NAME, ActivityKind, CourseType

log = logging.getLogger(__name__)

EXTENSION_KEY = "mso_academy.plugins"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "mso_academy.builtin.course_types",
    "mso_academy.builtin.text_lesson",
    "mso_academy.builtin.quiz",
    "mso_academy.builtin.assignment",
)


class PluginConflictError(RuntimeError):
    """Two plugins registered the same key; the app refuses to start."""


@dataclass
class PluginInfo:
    """What the admin page shows about one plugin."""

    name: str
    version: str
    source: str  # "built-in", "entry point", "code"
    state: str = "enabled"  # enabled | disabled | failed
    error: str | None = None
    provides: list[str] = field(default_factory=list)


def _core_version() -> str:
    try:
        return version("mso-academy")
    except Exception:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


class PluginManager:
    """Wraps a `pluggy.PluginManager` with the registries the core reads."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.course_types: dict[str, CourseType] = {}
        self.activity_kinds: dict[str, ActivityKind] = {}
        self.template_dirs: list[Path] = []
        self.translation_dirs: list[Path] = []
        self.blueprints: list[Any] = []
        self.cli_commands: list[Any] = []
        self.reserved: set[str] = set()

    @property
    def hook(self) -> Any:
        return self.pm.hook

    # --- loading -------------------------------------------------------------------------------------------

    def load(
        self,
        *,
        disabled: Iterable[str] = (),
        autoload: bool = True,
        extra: Iterable[Any] = (),
        reserved: Iterable[str] = (),
    ) -> None:
        """Load plugins; `reserved` names things the core owns (``blueprint 'admin'``, ``CLI command 'db'``)."""
        self.reserved = set(reserved)
        disabled_names = set(disabled)
        for module_name in DEFAULT_PLUGINS:
            self._add(
                module_name,
                "built-in",
                _core_version(),
                lambda m=module_name: importlib.import_module(m),
                disabled_names,
            )
        if autoload:
            for ep in entry_points(group=PROJECT_NAME):
                dist_version = ep.dist.version if ep.dist else "?"
                self._add(ep.name, "entry point", dist_version, ep.load, disabled_names)
        for obj in extra:
            name = getattr(obj, "__name__", None) or type(obj).__name__
            self._add(name, "code", getattr(obj, "__version__", "-"), lambda o=obj: o, disabled_names)
        self._collect()

    def _add(self, name: str, source: str, ver: str, loader: Callable[[], Any], disabled: set[str]) -> None:
        if name in self.plugins:
            raise PluginConflictError(
                f"two plugins are named {name!r} ({self.plugins[name].source} and {source}); "
                f"uninstall or disable one of them with MSO_ACADEMY_DISABLED_PLUGINS."
            )
        info = PluginInfo(name=name, version=ver, source=source)
        self.plugins[name] = info
        if name in disabled:
            info.state = "disabled"
            return
        try:
            plugin = loader()
            self.pm.register(plugin, name=name)
        except Exception as exc:
            self._fail(info, exc, "failed to load")

    def _fail(self, info: PluginInfo, exc: BaseException, what: str) -> None:
        info.state = "failed"
        info.error = f"{type(exc).__name__}: {exc}"
        log.error("Plugin %r %s: %s", info.name, what, info.error, exc_info=exc)
        plugin = self.pm.get_plugin(info.name)
        if plugin is not None:
            self.pm.unregister(plugin)

    def _call_each(self, hook_name: str) -> list[tuple[str, list[Any]]]:
        """Call a ``register_*`` hook plugin by plugin, so one broken plugin fails alone."""
        results: list[tuple[str, list[Any]]] = []
        for impl in list(getattr(self.pm.hook, hook_name).get_hookimpls()):
            info = self.plugins[impl.plugin_name]
            if info.state != "enabled":
                continue
            try:
                value = impl.function() or []
                results.append((impl.plugin_name, list(value)))
            except Exception as exc:
                self._fail(info, exc, f"failed in {hook_name}")
        return results

    def _collect(self) -> None:
        # Run every registration hook first, so a plugin that fails in one of them contributes nothing at all.
        gathered = {
            name: self._call_each(name)
            for name in (
                "register_course_types",
                "register_activity_kinds",
                "register_template_dirs",
                "register_translation_dirs",
                "register_blueprints",
                "register_cli_commands",
            )
        }

        def alive(items: list[tuple[str, list[Any]]]) -> list[tuple[str, list[Any]]]:
            return [(plugin, values) for plugin, values in items if self.plugins[plugin].state == "enabled"]

        owners: dict[str, str] = dict.fromkeys(self.reserved, "MSO Academy (core)")
        for plugin, values in alive(gathered["register_course_types"]):
            for course_type in values:
                self._claim(owners, f"course type {course_type.slug!r}", plugin)
                self.course_types[course_type.slug] = course_type
                self.plugins[plugin].provides.append(f"course type: {course_type.slug}")
        for plugin, values in alive(gathered["register_activity_kinds"]):
            for kind in values:
                self._claim(owners, f"activity kind {kind.key!r}", plugin)
                self.activity_kinds[kind.key] = kind
                self.plugins[plugin].provides.append(f"activity kind: {kind.key}")
        for _plugin, values in alive(gathered["register_template_dirs"]):
            self.template_dirs.extend(Path(v) for v in values)
        for _plugin, values in alive(gathered["register_translation_dirs"]):
            self.translation_dirs.extend(Path(v) for v in values)
        for plugin, values in alive(gathered["register_blueprints"]):
            for blueprint in values:
                self._claim(owners, f"blueprint {blueprint.name!r}", plugin)
                self.blueprints.append(blueprint)
        for plugin, values in alive(gathered["register_cli_commands"]):
            for command in values:
                self._claim(owners, f"CLI command {command.name!r}", plugin)
                self.cli_commands.append(command)

    @staticmethod
    def _claim(owners: dict[str, str], what: str, plugin: str) -> None:
        if what in owners:
            raise PluginConflictError(
                f"{what} is registered by both plugin {owners[what]!r} and plugin {plugin!r}; "
                f"disable one of them with MSO_ACADEMY_DISABLED_PLUGINS."
            )
        owners[what] = plugin

    # --- use -----------------------------------------------------------------------------------------------

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook and keep who answered what (pluggy's own call drops the plugin names)."""
        answers: list[tuple[str, Any]] = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            answers.append((impl.plugin_name, impl.function(*(kwargs[name] for name in impl.argnames))))
        return answers

    def kind(self, key: str) -> ActivityKind | None:
        return self.activity_kinds.get(key)

    def course_type(self, slug: str) -> CourseType | None:
        return self.course_types.get(slug)


def init_app(app: Flask, core_blueprints: Iterable[str] = (), core_commands: Iterable[str] = ()) -> PluginManager:
    manager = PluginManager()
    manager.load(
        disabled=app.config["DISABLED_PLUGINS"],
        autoload=app.config["PLUGINS_AUTOLOAD"],
        extra=app.config["EXTRA_PLUGINS"],
        reserved=[
            *(f"blueprint {name!r}" for name in core_blueprints),
            *(f"CLI command {name!r}" for name in core_commands),
        ],
    )
    app.extensions[EXTENSION_KEY] = manager
    return manager


def plugins(app: Flask | None = None) -> PluginManager:
    return (app or current_app).extensions[EXTENSION_KEY]
