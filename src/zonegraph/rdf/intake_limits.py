"""How much untrusted Turtle may hold: the limits the strict reader checks while reading."""

from __future__ import annotations

from dataclasses import dataclass

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


#: Triples per input. ``zonegraph validate`` on the shipped graph costs about
#: 1.2 s plus 1.35 ms per triple (20,000 triples: 28 s, 0.2 GB; docs/security.md).
DEFAULT_MAX_TRIPLES = 20_000


#: How deep ``[ … ]`` and ``( … )`` may nest.
DEFAULT_MAX_DEPTH = 64


#: The deepest nesting the reader can be asked for (it recurses once per level).
MAX_DEPTH_CEILING = 128


#: Elements in one collection ``( … )`` (each costs two triples).
DEFAULT_MAX_COLLECTION = 10_000


@dataclass(frozen=True)
class IntakeLimits:
    """What one input may cost; ``None`` is no limit (for the KG's own files).

    >>> IntakeLimits().max_triples
    20000
    >>> IntakeLimits(max_depth=500)
    Traceback (most recent call last):
    ...
    ValueError: max_depth must be between 1 and 128, not 500
    """

    max_bytes: int | None = DEFAULT_MAX_BYTES
    max_triples: int | None = DEFAULT_MAX_TRIPLES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_collection: int | None = DEFAULT_MAX_COLLECTION

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_triples", "max_collection"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        if not 1 <= self.max_depth <= MAX_DEPTH_CEILING:
            raise ValueError(
                f"max_depth must be between 1 and {MAX_DEPTH_CEILING}, not {self.max_depth}"
            )

    @classmethod
    def kg_files(cls) -> IntakeLimits:
        """The KG's own files: no size, triple or collection limit (``add`` makes them grow);
        nesting stays bounded, as the reader recurses."""
        return cls(max_bytes=None, max_triples=None, max_collection=None)
