"""What the commands share: the context (the KG opened on first use, the intake limits,
--quiet), the one way an error ends a command (a message on standard error, exit 2), and
writing an output file (-o).

``zonegraph.cli`` (its ``__init__``) builds the group over this; the command modules
(``queries``, ``graph``, ``serve``, ``authoring``) import it, never the group.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .._errors import ZonegraphError
from .._progress import Progress
from ..rdf.intake_limits import IntakeLimits

if TYPE_CHECKING:
    from .._kg import KnowledgeGraph

EPILOG_EXAMPLES = "\b\nExample:\n  "


def fail(exc: ZonegraphError) -> NoReturn:
    """End the command: the error's message (and hint) on standard error, exit 2."""
    from .._errors import ParameterError

    text = str(exc)
    if isinstance(exc, ParameterError):  # the hint in the command line's own words (-p NAME=…)
        text = exc.message + (f"\n  hint: {hint}" if (hint := exc.hint_for("cli")) else "")
    click.echo(f"error: {text}", err=True)
    sys.exit(2)


def terminal_width() -> int:
    """The width tables are laid out in: $COLUMNS, else the terminal's; 160 when standard
    output is not a terminal (a pipe keeps long lines whole; grep and less -S cope)."""
    return shutil.get_terminal_size((160, 24)).columns


def os_error(exc: OSError) -> ZonegraphError:
    """An operating-system error zonegraph did not expect, as one message with a hint."""
    if exc.filename:
        return ZonegraphError(
            f"cannot use {exc.filename}: {exc.strerror or exc}",
            hint="check that the path exists and that you may read or write it",
        )
    return ZonegraphError(
        f"reading or writing failed: {exc.strerror or exc}",
        hint="check the free space and the permissions where the input and output are",
    )


#: The ``-o/--output FILE`` option of the commands that write a document (export, draw).
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of standard output.",
)


def write_output(path: Path, data: str | bytes) -> None:
    """Write the output file *path* (-o); a ZonegraphError says why it cannot be written."""
    from .._errors import OutputError

    folder = path.parent
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except FileNotFoundError as exc:
        if folder.is_dir():  # the folder is there, yet the file cannot be made in it
            raise OutputError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint="give -o a path in a folder you may write to",
            ) from None
        raise OutputError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint=f"create it first (mkdir -p {folder}), or give -o a path in an existing folder",
        ) from None
    except NotADirectoryError:
        raise OutputError(
            f"cannot write {path}: {folder} is not a folder",
            hint="give -o a path in an existing folder",
        ) from None
    except IsADirectoryError:
        raise OutputError(
            f"cannot write {path}: it is a folder", hint="give -o a file name, not a folder"
        ) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check that you may write there, or give -o another path",
        ) from None


class Context:
    """The state the group's options give every command (``ctx.obj``)."""

    #: No progress display or notes on standard error (--quiet).
    quiet: bool = False
    #: What one input file or request body may cost (--max-bytes, --max-triples, ...).
    limits: IntakeLimits | None = None

    def __init__(
        self,
        kg_dir: Path | None,
        max_bytes: int,
        store: str,
        update_url: str | None,
        gsp_url: str | None,
        *,
        allow_network: bool = False,
    ) -> None:
        self.kg_dir = kg_dir
        self.allow_network = allow_network
        self.max_bytes = max_bytes
        self.store_spec = store
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._kg: KnowledgeGraph | None = None
        self._active: Progress | None = None

    def kg(self, *, create_store: bool = False) -> KnowledgeGraph:
        """The KG the command works on, opened on first use; only *create_store* (load)
        makes a new store."""
        if self._kg is None:
            from .._kg import open_kg
            from ..store.base import open_store

            store = open_store(
                self.store_spec,
                update_url=self.update_url,
                gsp_url=self.gsp_url,
                create=create_store,
            )
            with self._phase("loading the graph"):
                self._kg = open_kg(
                    self.kg_dir,
                    store=store,
                    max_bytes=self.max_bytes,
                    limits=self.limits,
                    allow_network=self.allow_network,
                )
        return self._kg

    def working(self, what: str) -> AbstractContextManager[None]:
        """A progress display while *what* runs (on a terminal, without --quiet)."""
        from .progress import working

        return working(what, enabled=not self.quiet)

    @contextmanager
    def progress(self) -> Iterator[Progress]:
        """The progress display of long work (phases, counts, rates) while the block runs:
        hand what it gives to the library; ``kg()`` inside reports to it too."""
        from .progress import showing

        with showing(enabled=not self.quiet) as progress:
            self._active = progress
            try:
                yield progress
            finally:
                self._active = None

    def _phase(self, what: str) -> AbstractContextManager[None]:
        """*what* as a phase of the active display, else a display of its own."""
        if self._active is not None:
            self._active(what)
            return nullcontext()
        return self.working(what)


pass_ctx = click.make_pass_decorator(Context)
