"""``python -m zonegraph``: the same as the ``zonegraph`` command."""

from zonegraph.cli import main

main()
