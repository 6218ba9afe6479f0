"""hazardmap: geological-hazard monitoring for Hengnan County (衡南县)."""
from __future__ import annotations


def _version() -> str:
    # Single source: pyproject.toml. Installed (or frozen with its metadata) -> package metadata;
    # a bare source tree -> read pyproject.toml beside the package.
    from importlib import metadata

    try:
        return metadata.version("hazardmap")
    except metadata.PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            with pyproject.open("rb") as fh:
                return tomllib.load(fh)["project"]["version"]
        except (OSError, KeyError):
            return "0+unknown"


__version__ = _version()
