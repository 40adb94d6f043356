"""Inputs: one content hash per PDF over everything that can change its bytes.

A rebuild skips a PDF whose inputs hash is the one recorded in the manifest
and whose file on disk still has the recorded sha256.  The hash covers the
template chain (every file under templates/ except other leaflets' own
template and metadata), the job's catalogs, the font files of its language,
the options that change output (paper, notices, release mode, the build
clock), and the versions of this tool and WeasyPrint.  Content hashes only:
mtimes change on checkout and would rebuild everything in CI.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..locales import font_files
from ..project import Leaflet, Project
from . import filehashes
from .filehashes import sha256_of


@lru_cache(maxsize=1)
def weasyprint_version() -> str:
    """The installed WeasyPrint's version, without importing it (a no-op build never does)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:
        import weasyprint

        return weasyprint.__version__


@lru_cache(maxsize=256)
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    # size and mtime are only the cache key within one process, never the identity
    return sha256_of(path)


def file_sha256(path: Path) -> str:
    """sha256 of a file's content ("missing" when it does not exist)."""
    if (index := filehashes.active()) is not None:  # a build: remembered from run to run
        return index.sha256(Path(path))
    try:
        stat = Path(path).stat()
    except OSError:
        return "missing"
    return _file_sha256(Path(path), stat.st_size, stat.st_mtime_ns)


def font_hashes(project: Project, lang: str, files_of=font_files) -> dict[str, dict[str, str]]:
    """``{family: {file: sha256}}`` for the fonts a language may use in this project.

    ``files_of(family)`` lists a family's files (fontconfig's lookup, or a cached one)."""
    return {family: {path: file_sha256(Path(path)) for path in files_of(family)}
            for family in project.language(lang).fonts}


def template_hashes(project: Project, leaflet: Leaflet) -> dict[str, str]:
    """``{name: sha256}`` of the template files that can affect ``leaflet``."""
    return {name: file_sha256(path) for name, path in template_files(project, leaflet).items()}


def templates_by_leaflet(project: Project, leaflets: list[Leaflet]) -> dict[str, dict[str, str]]:
    """``template_hashes`` of many leaflets at once: the folders are listed and hashed once
    (per leaflet they would be listed again: quadratic in a library of many leaflets)."""
    listed = [[(path.relative_to(folder).as_posix(), file_sha256(path))
               for path in sorted(folder.rglob("*")) if path.is_file()]
              for folder in project.template_dirs]
    owners = {toml.stem for toml in project.templates.glob("*.toml")}
    result = {}
    for leaflet in leaflets:
        others = {name for stem in owners - {leaflet.id}
                  for name in (f"{stem}.toml", f"{stem}.html")}
        found: dict[str, str] = {}
        for files in listed:  # the same precedence as template_files: the project's first
            for name, digest in files:
                if name not in others:
                    found.setdefault(name, digest)
        result[leaflet.id] = dict(sorted(found.items()))
    return result


def template_files(project: Project, leaflet: Leaflet) -> dict[str, Path]:
    """``{name: file}`` that can affect ``leaflet``: everything under the project's templates/
    but other leaflets' own, and the theme's files the project does not replace."""
    others = set()
    for toml in project.templates.glob("*.toml"):
        if toml.stem != leaflet.id:
            others.update({toml.name, f"{toml.stem}.html"})
    found: dict[str, Path] = {}
    for folder in project.template_dirs:  # the project's first: its files hide the theme's
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in others:
                found.setdefault(name, path)
    return dict(sorted(found.items()))


def job_inputs(project: Project, leaflet: Leaflet, lang: str,
               catalogs: list[Path] | dict[str, str], settings: dict,
               templates: dict[str, str] | None = None,
               fonts: dict[str, dict[str, str]] | None = None) -> str:
    """The inputs hash of one PDF; ``settings`` holds every option that changes its bytes.

    ``catalogs`` are paths, or {``project.key(path)``: sha256} when the caller hashed them;
    ``templates`` is ``template_hashes(project, leaflet)`` and ``fonts`` is
    ``font_hashes(lang)`` when the caller already has them."""
    if not isinstance(catalogs, dict):
        catalogs = {project.key(path): file_sha256(path) for path in catalogs}
    record = {
        "tool": __version__,
        "weasyprint": weasyprint_version(),
        "leaflet": leaflet.id,
        "lang": lang,
        "templates": templates if templates is not None else template_hashes(project, leaflet),
        "catalogs": catalogs,
        "fonts": fonts if fonts is not None else font_hashes(project, lang),
        "settings": settings,
    }
    encoded = json.dumps(record, sort_keys=True, ensure_ascii=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
