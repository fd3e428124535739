"""Where a knowledge-graph directory keeps its parts.

A KG directory has ``ontology/`` (the ontology and ``shapes.ttl``), ``kg/`` (one
Turtle file per source) and ``queries/`` (canned queries and ``checks/``). The
shipped graph is the repository itself in a checkout, and a copy inside the
package (``zonegraph/_shipped``) in an installed wheel.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .._errors import StoreError
from ..rdf.namespaces import ZGS

SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Layout:
    """The files of one KG directory."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def kg_dir(self) -> Path:
        return self.root / "kg"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / SHAPES_FILE

    def ontology_files(self) -> list[Path]:
        """The ontology's Turtle files (everything in ``ontology/`` but the shapes)."""
        return sorted(p for p in self.ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE)

    def source_files(self) -> list[Path]:
        """One Turtle file per source, sorted by name."""
        return sorted(self.kg_dir.glob("*.ttl"))

    @staticmethod
    def graph_name(path: Path) -> str:
        """The named graph (the source's IRI) for a file of ``kg/``."""
        return f"{ZGS}{path.stem}"

    def check(self) -> Layout:
        """Return self if the directory has the expected parts, else raise StoreError."""
        missing = [
            d.name for d in (self.ontology_dir, self.kg_dir, self.queries_dir) if not d.is_dir()
        ]
        if missing:
            raise StoreError(
                f"{self.root} is not a zonegraph KG directory: no {', '.join(missing)}/",
                hint="point --kg at a folder with ontology/, kg/ and queries/, "
                "or leave it out to use the shipped graph",
            )
        return self


def init_directory(target: Path) -> Path:
    """Copy the shipped graph's ``ontology/``, ``kg/`` and ``queries/`` into *target*
    (which must not exist, or be empty); StoreError otherwise."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StoreError(
            f"{target} exists and is not an empty directory",
            hint="name a new directory; zonegraph init never overwrites anything",
        )
    source = Layout(shipped_root()).check()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for part in (source.ontology_dir, source.kg_dir, source.queries_dir):
            shutil.copytree(part, target / part.name, ignore=shutil.ignore_patterns(".*"))
    except OSError as exc:
        raise StoreError(
            f"cannot make {target}: {exc.strerror or exc}",
            hint="choose a directory you can write to",
        ) from None
    return target


def installed_root() -> Path:
    """Where an installed wheel keeps its copy of the shipped graph (read-only to zonegraph)."""
    return Path(__file__).resolve().parent.parent / "_shipped"


def shipped_root() -> Path:
    """The shipped KG: the checkout this package runs from, else the copy in the wheel."""
    here = Path(__file__).resolve().parent.parent
    checkout = here.parent.parent
    if (checkout / "kg").is_dir() and (checkout / "ontology").is_dir():
        return checkout
    return installed_root()
