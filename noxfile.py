"""Nox sessions: ``tests``, ``lint``, ``typecheck``, ``imports``, ``conformance``, ``bench``,
``docs``.

``docs`` serves the documentation site, ``docs-build`` builds it strictly as CI does.

Every session uses the uv backend and installs exactly what ``uv.lock`` pins
(``uv sync --locked`` into the session's own environment), so a session runs the
same versions as ``uv run`` and as ``.ci/run``.  Run ``uv run nox`` for all of
them, ``uv run nox -s tests -- -k registry`` to pass arguments to pytest.
"""

from __future__ import annotations

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "typecheck", "imports", "tests"]
nox.options.reuse_venv = "yes"


def sync(session: nox.Session) -> None:
    """Install the locked workspace (every member and the dev group) into the session."""
    session.run_install(
        "uv",
        "sync",
        "--locked",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (the README's test command); extra arguments go to pytest."""
    sync(session)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check lint and formatting with ruff (no file is changed)."""
    sync(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check every distribution with mypy --strict (config in pyproject.toml)."""
    sync(session)
    session.run("mypy")


@nox.session
def imports(session: nox.Session) -> None:
    """Check the import contracts (layers, private modules, no circles) with import-linter."""
    sync(session)
    session.run("lint-imports")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmark suite: ``--quick`` by default; extra arguments replace it."""
    sync(session)
    session.run("jido-persistence", "bench", *(session.posargs or ["--quick"]))


@nox.session
def conformance(session: nox.Session) -> None:
    """Run the conformance kit on every adapter that can run here (or the named ones)."""
    sync(session)
    session.run("jido-persistence", "check", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Serve the documentation site with live reload (``-- -a 0.0.0.0:8000`` to change where)."""
    sync(session)
    session.run("mkdocs", "serve", *session.posargs)


@nox.session(name="docs-build")
def docs_build(session: nox.Session) -> None:
    """Build the documentation site strictly, as CI does (into ``site/`` unless told otherwise)."""
    sync(session)
    session.run("mkdocs", "build", "--strict", *session.posargs)
