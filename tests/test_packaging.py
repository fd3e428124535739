"""The package's metadata: project links to the one repository, classifiers that match
``requires-python`` and the licence (docs/packaging.md)."""

from __future__ import annotations

import re
import tomllib

from support import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REPOSITORY = "https://github.com/zonegraph/zonegraph"


def test_project_urls_point_at_the_repository() -> None:
    urls = PROJECT["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Issues", "Source"}
    assert urls["Source"] == urls["Homepage"] == REPOSITORY
    assert urls["Issues"] == f"{REPOSITORY}/issues"
    assert all(url.startswith(REPOSITORY) for url in urls.values())


def test_classifiers_match_the_python_versions_and_licence() -> None:
    classifiers = PROJECT["classifiers"]
    assert len(set(classifiers)) == len(classifiers)
    minimum = tuple(int(n) for n in re.findall(r"\d+", PROJECT["requires-python"]))
    versions = [
        tuple(int(n) for n in c.rsplit(":: ", 1)[1].split("."))
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert versions and min(versions) == minimum
    assert PROJECT["license"] == {"text": "Apache-2.0"}
    assert "License :: OSI Approved :: Apache Software License" in classifiers
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert "Typing :: Typed" in classifiers
