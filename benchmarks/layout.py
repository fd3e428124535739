"""Counts of the package layout, for the architecture notes (issue #16): modules, import cycles
(strongly connected groups of modules, counting every import, also inside functions and under
TYPE_CHECKING), imports inside functions, the longest modules and class.

    python benchmarks/layout.py .          # this checkout
    git worktree add /tmp/old ca467ab && python benchmarks/layout.py /tmp/old
"""

import ast
import itertools
import sys
from pathlib import Path

root = Path(sys.argv[1]) / "src" / "zonegraph"
mods = {}
for p in root.rglob("*.py"):
    rel = p.relative_to(root.parent).with_suffix("")
    name = ".".join(rel.parts)
    if name.endswith(".__init__"):
        name = name[: -len(".__init__")]
    mods[name] = p
edges = {m: set() for m in mods}
inner = 0
longest_class = (0, "")
for m, p in mods.items():
    tree = ast.parse(p.read_text())
    pkg = m if p.name == "__init__.py" else m.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            n = node.end_lineno - node.lineno + 1
            if n > longest_class[0]:
                longest_class = (n, f"{m}.{node.name}")
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    inner += 1
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            subs = [f"{mod}.{a.name}" for a in node.names]
            # "from . import x" imports the submodule x; the package itself only when a name
            # of it is imported
            if not all(t in mods for t in subs):
                targets.append(mod)
            targets += subs
        elif isinstance(node, ast.Import):
            targets += [a.name for a in node.names]
        for t in targets:
            if t in mods and t != m:
                edges[m].add(t)
# strongly connected components (Tarjan)
index = {}
low = {}
stack = []
on = set()
sccs = []
c = itertools.count()
sys.setrecursionlimit(10000)


def strong(v):
    index[v] = low[v] = next(c)
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in mods:
    if v not in index:
        strong(v)
lines = sorted(((len(p.read_text().splitlines()), m) for m, p in mods.items()), reverse=True)
print(f"modules: {len(mods)}")
print(
    f"import cycles (strongly connected groups, every import counted): {len(sccs)} {sccs}"
)
print(f"imports inside functions: {inner}")
print(f"longest modules: {lines[:3]}")
print(f"modules over 500 lines: {sum(1 for n, _ in lines if n > 500)}")
print(f"longest class: {longest_class}")
