"""zonegraph."""
