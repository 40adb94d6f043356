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
from ..locales import font_files, language
from ..project import Leaflet, Project

_CHUNK = 1 << 20


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
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file's content ("missing" when it does not exist)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return "missing"
    return _file_sha256(Path(path), stat.st_size, stat.st_mtime_ns)


def font_hashes(lang: str, files_of=font_files) -> dict[str, dict[str, str]]:
    """``{family: {file: sha256}}`` for the fonts a language may use.

    ``files_of(family)`` lists a family's files (fontconfig's lookup, or a cached one)."""
    return {family: {path: file_sha256(Path(path)) for path in files_of(family)}
            for family in language(lang).fonts}


def template_hashes(project: Project, leaflet: Leaflet) -> dict[str, str]:
    """``{name: sha256}`` of the files under templates/ that can affect ``leaflet``."""
    return {path.relative_to(project.templates).as_posix(): file_sha256(path)
            for path in template_files(project, leaflet)}


def templates_by_leaflet(project: Project, leaflets: list[Leaflet]) -> dict[str, dict[str, str]]:
    """``template_hashes`` of many leaflets at once: templates/ is listed and hashed once."""
    everything = {path.relative_to(project.templates).as_posix(): file_sha256(path)
                  for path in sorted(project.templates.rglob("*")) if path.is_file()}
    owners = {toml.stem for toml in project.templates.glob("*.toml")}
    result = {}
    for leaflet in leaflets:
        others = {name for stem in owners - {leaflet.id}
                  for name in (f"{stem}.toml", f"{stem}.html")}
        result[leaflet.id] = {name: digest for name, digest in everything.items()
                              if name not in others}
    return result


def template_files(project: Project, leaflet: Leaflet) -> list[Path]:
    """The files under templates/ that can affect ``leaflet``: all but other leaflets' own."""
    others = set()
    for toml in project.templates.glob("*.toml"):
        if toml.stem != leaflet.id:
            others.update({toml.name, f"{toml.stem}.html"})
    return sorted(path for path in project.templates.rglob("*") if path.is_file()
                  and path.relative_to(project.templates).as_posix() not in others)


def job_inputs(project: Project, leaflet: Leaflet, lang: str, catalogs: list[Path],
               settings: dict, templates: dict[str, str] | None = None,
               fonts: dict[str, dict[str, str]] | None = None) -> str:
    """The inputs hash of one PDF; ``settings`` holds every option that changes its bytes.

    ``templates`` is ``template_hashes(project, leaflet)`` and ``fonts`` is
    ``font_hashes(lang)`` when the caller already has them."""
    record = {
        "tool": __version__,
        "weasyprint": weasyprint_version(),
        "leaflet": leaflet.id,
        "lang": lang,
        "templates": templates if templates is not None else template_hashes(project, leaflet),
        "catalogs": {Path(path).relative_to(project.root).as_posix(): file_sha256(path)
                     for path in catalogs},
        "fonts": fonts if fonts is not None else font_hashes(lang),
        "settings": settings,
    }
    encoded = json.dumps(record, sort_keys=True, ensure_ascii=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
