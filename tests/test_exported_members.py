"""The public API is what __all__ says, and nothing leaks into it by accident."""

import types

import zonegraph
import zonegraph.store  # the public submodules, imported whatever ran before


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(zonegraph) if not name.startswith("_")}
    # submodules that Python itself attaches to the package once imported are not members
    public -= {n for n in public if isinstance(getattr(zonegraph, n), types.ModuleType)}
    assert set(zonegraph.__all__) == public
    assert zonegraph.__all__ == sorted(zonegraph.__all__, key=lambda n: (not n.isupper(), n))


def test_every_exported_member_is_documented() -> None:
    for name in zonegraph.__all__:
        member = getattr(zonegraph, name)
        if callable(member) and not name.isupper():
            assert member.__doc__, f"{name} has no docstring"
