"""What reading input costs, and how fast an input over a limit is refused (issue #20).

    python benchmarks/intake.py                         # parse 200k triples; refusals
    python benchmarks/intake.py --before ca467ab        # ... and the reader of that commit
    python benchmarks/intake.py --validate              # ... and validate batches of 1k-20k
    python benchmarks/intake.py --worst-only            # only the costliest inputs under 32 MiB

Each measurement runs in a fresh process (median CPU time, user + system, of
--runs runs, and peak RSS, both from wait4), so one does not warm or grow the
next, and other work on the machine barely changes the figures:

- **parse**: a ``zonegraph synth`` file of --triples triples read by the strict
  reader (zonegraph's one Turtle reader, without limits, as it reads the KG's
  own files), by pyoxigraph's parser and by rdflib's; with ``--before REV``
  also by the strict reader of commit REV (``git archive``);
- **refusal**: ``zonegraph validate`` on inputs that the default limits refuse:
  1M triples in 46 MB (``--max-bytes`` raised so the triple limit is the one
  crossed) and a collection of 1M elements in 12 MB (the issue's cases);
- **worst**: the costliest inputs found that fit the default 32 MiB: a
  string of 16M escapes, 5M ``\\u`` escapes, 10M comment lines, 30M dots
  after a name, a 15M-subtag language tag (the last three amplified memory
  before the reader's regular expressions were made possessive);
- **validate** (``--validate``): ``zonegraph validate`` of synth batches of
  1,000 to 20,000 triples against the shipped graph, the cost the default
  ``--max-triples`` (20,000) is chosen from: an answer within about 30 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable

_PARSE = {
    "strict": (
        "from pathlib import Path; from zonegraph.rdf.intake import parse_turtle; "
        "print(len(parse_turtle(Path({path!r}), max_bytes=None)))"
    ),
    "pyoxigraph": (
        "import pyoxigraph as ox; "
        "print(sum(1 for _ in ox.parse(path={path!r}, format=ox.RdfFormat.TURTLE)))"
    ),
    "rdflib": ("from rdflib import Graph; print(len(Graph().parse({path!r}, format='turtle')))"),
}


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """(CPU seconds, peak MB, exit code, output) of one process. CPU time (user + system,
    from wait4) rather than wall time: other work on the machine barely changes it."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, proc.returncode, out


def median_run(
    argv: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    results = [run(argv, env) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        results[-1][3].strip().splitlines()[-1] if results[-1][3].strip() else "",
    )


def zonegraph(*args: str) -> list[str]:
    return [PY, "-m", "zonegraph", "-q", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also time the strict reader of REV")
    parser.add_argument("--validate", action="store_true", help="also time validate batches")
    parser.add_argument("--worst-only", action="store_true", help="only the costliest inputs")
    args = parser.parse_args()
    if args.worst_only:
        worst(args.runs)
        return

    with tempfile.TemporaryDirectory(prefix="zonegraph-intake-") as folder:
        tmp = Path(folder)
        big = tmp / "synth.ttl"
        subprocess.run(
            zonegraph("synth", "--triples", str(args.triples), "-o", str(big)),
            check=True,
            capture_output=True,
        )
        size = big.stat().st_size
        print(f"## parse: {big.name}, {args.triples:,} triples asked, {size / 1e6:.1f} MB\n")
        print("| reader | CPU s (median) | peak MB | triples | vs strict |")
        print("| --- | --- | --- | --- | --- |")
        rows: dict[str, tuple[float, float, str]] = {}
        readers = list(_PARSE)
        envs: dict[str, dict[str, str] | None] = dict.fromkeys(readers)
        if args.before:
            old = tmp / "before"
            old.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", args.before, "src"],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            readers.insert(0, f"strict @ {args.before}")
            envs[readers[0]] = {**os.environ, "PYTHONPATH": str(old / "src")}
        for name in readers:
            code = _PARSE["strict" if name.startswith("strict") else name].format(path=str(big))
            rows[name] = median_run([PY, "-c", code], args.runs, envs.get(name))
        base = rows["strict"][0]
        for name, (seconds, mb, out) in rows.items():
            print(f"| {name} | {seconds:.2f} | {mb:.0f} | {out} | {base / seconds:.2f}x |")

        print("\n## refusal: zonegraph validate with the default limits\n")
        million = tmp / "million.ttl"
        subprocess.run(
            zonegraph("synth", "--triples", "1000000", "-o", str(million)),
            check=True,
            capture_output=True,
        )
        collection = tmp / "collection.ttl"
        collection.write_text(
            "@prefix ex: <https://example.org/> .\nex:s ex:p ("
            + "".join(f" ex:e{i:06d}" for i in range(1_000_000))
            + " ) .\n",
            encoding="utf-8",
        )
        cases = [
            (
                f"1M triples, {million.stat().st_size / 1e6:.0f} MB (--max-bytes 100000000)",
                zonegraph("--max-bytes", "100000000", "validate", str(million)),
            ),
            (
                f"a collection of 1M elements, {collection.stat().st_size / 1e6:.0f} MB",
                zonegraph("validate", str(collection)),
            ),
        ]
        print("| input | exit | CPU s (median) | peak MB | message |")
        print("| --- | --- | --- | --- | --- |")
        for what, argv in cases:
            results = [run(argv) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in results)
            mb = max(r[1] for r in results)
            message = results[-1][3].strip().splitlines()[0].split(": ", 1)[-1]
            print(f"| {what} | {results[-1][2]} | {seconds:.2f} | {mb:.0f} | {message} |")

        if args.validate:
            print("\n## validate: synth batches against the shipped graph\n")
            print("| triples | exit | CPU s | peak MB |")
            print("| --- | --- | --- | --- |")
            for n in (1_000, 5_000, 10_000, 20_000):
                batch = tmp / f"batch-{n}.ttl"
                subprocess.run(
                    zonegraph("synth", "--triples", str(n), "--seed", "3", "-o", str(batch)),
                    check=True,
                    capture_output=True,
                )
                seconds, mb, code, _ = run(zonegraph("validate", str(batch)))
                print(f"| {n:,} | {code} | {seconds:.1f} | {mb:.0f} |")


_WORST = {
    "a string of 16M \\t escapes": "'\"' + '\\\\t' * 16_000_000 + '\"'",
    "a string of 5M \\u escapes": "'\"' + '\\\\u00e9' * 5_000_000 + '\"'",
    "10M comment lines": "'ex:o .\\n' + '#\\n' * 10_000_000 + 'ex:s ex:p ex:o'",
    "30M dots after a name": "'ex:a' + '.' * 30_000_000",
    "a language tag of 15M subtags": "'\"x\"@a' + '-a' * 15_000_000",
}


def worst(runs: int) -> None:
    print("## worst: the costliest inputs under the 32 MiB limit, read by the strict reader\n")
    print("| input | CPU s (median) | peak MB | result |")
    print("| --- | --- | --- | --- |")
    for what, expr in _WORST.items():
        code = (
            "from zonegraph.rdf.intake import parse_turtle_text\nfrom zonegraph import InputError\n"
            f"text = ('@prefix ex: <http://e/> .\\nex:s ex:p ' + {expr} + ' .').encode()\n"
            "try: print(len(parse_turtle_text(text, name='t')), 'triple(s),', len(text), 'bytes')\n"
            "except InputError as e: print('refused,', len(text), 'bytes')"
        )
        seconds, mb, out = median_run([PY, "-c", code], runs)
        print(f"| {what} | {seconds:.2f} | {mb:.0f} | {out} |")


if __name__ == "__main__":
    main()
