"""The pytest plugin (entry point ``pytest11``): options, collection and reporting of the kit.

Inert unless asked: loading it imports only pytest and the standard library, adds its
options, and collects no test.  With ``--persistence-url URL`` (repeatable) it runs the
whole kit once per URL, parametrised with the URL as the test id; when no test paths
are given on the command line, ONLY the kit is collected (the project's ``testpaths``
are not), and explicit paths are collected as well as the kit.

``--persistence-report PATH`` writes a JSON report, ``--persistence-strict`` fails the
run when a kit test was skipped, ``--persistence-fast-fail`` stops shrinking and skips
an adapter's remaining tests after its first failure.  Single-rule tests run first,
the state machine last.  The per-area summary is printed whenever kit tests
ran, whichever way in (``--persistence-url`` or an ``AdapterConformance`` subclass).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from jido_persistence_conformance._report import KitRecorder

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
]

KIT_FILE: Final = Path(__file__).with_name("_kit_by_url.py")
URL_PARAMETER: Final = "persistence_url"
_RECORDER_NAME: Final = "jido_persistence_conformance.recorder"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--persistence-url``, ``--persistence-report``, ``--persistence-fast-fail`` and
    ``--persistence-strict``."""
    group = parser.getgroup("jido-persistence", "jido-persistence conformance kit")
    group.addoption(
        "--persistence-url",
        action="append",
        default=[],
        metavar="URL",
        help="run the conformance kit on this store URL or adapter name (repeatable); "
        "{tmp} becomes a fresh temporary directory and {unique} a fresh name per store",
    )
    group.addoption(
        "--persistence-report",
        default=None,
        metavar="PATH",
        help="write a JSON report of the kit's tests (per adapter and test) to PATH",
    )
    group.addoption(
        "--persistence-fast-fail",
        action="store_true",
        default=False,
        help="report a failing adapter in seconds: no kit test shrinks its counterexample, "
        "and after the first failed kit test of an adapter its other tests are skipped",
    )
    group.addoption(
        "--persistence-strict",
        action="store_true",
        default=False,
        help="fail the run when any conformance kit test was skipped",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; with URLs, collect the kit; record kit tests if any run."""
    config.addinivalue_line(
        "markers",
        "persistence_capability(name, value=True): a conformance kit test that applies "
        "only to adapters whose capabilities.<name> equals value",
    )
    config.addinivalue_line(
        "markers",
        "persistence_requires_ingress: a conformance kit test of the optional "
        "ingress-subscription callbacks (skipped on adapters without them)",
    )
    urls: list[str] = config.getoption("persistence_url") or []
    if urls:
        explicit = config.args_source == pytest.Config.ArgsSource.ARGS
        kit = str(KIT_FILE)
        config.args[:] = [*config.args, kit] if explicit else [kit]
    from jido_persistence_conformance._report import KitRecorder
    from jido_persistence_conformance._run_control import KitRunControl

    config.pluginmanager.register(KitRecorder(config, urls), _RECORDER_NAME)
    config.pluginmanager.register(KitRunControl(config), _RECORDER_NAME + ".run_control")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise the kit's ``persistence_url`` argument with every ``--persistence-url``."""
    if URL_PARAMETER in metafunc.fixturenames and getattr(
        metafunc.cls, "__jido_conformance__", False
    ):
        urls: list[str] = metafunc.config.getoption("persistence_url") or []
        if urls:
            metafunc.parametrize(URL_PARAMETER, urls, ids=urls)


def _recorder(config: pytest.Config) -> KitRecorder | None:
    recorder: Any = config.pluginmanager.get_plugin(_RECORDER_NAME)
    return recorder  # type: ignore[no-any-return]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Apply known-failure xfails and drop tests of capabilities an adapter lacks."""
    recorder = _recorder(config)
    if recorder is not None:
        recorder.collection_modifyitems(items)
