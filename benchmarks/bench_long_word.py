"""Worst case for catalog commands: one obsolete msgstr that is a single unbroken word.

Copies the project to a temporary folder, appends to locales/fr/LC_MESSAGES/hsg.po an
obsolete entry whose msgstr is one word of N bytes (60 KB, then as large as the 2 MiB
catalog limit allows), and times ``update``, ``check`` and ``export`` as a user runs them.

    python3 benchmarks/bench_long_word.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (60_000, 1_500_000, 2 * 1024 * 1024 - 20_000)


def main() -> None:
    print("| word bytes | catalog bytes | command | exit | seconds |")
    print("|---:|---:|---|---:|---:|")
    for size in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for name in ("templates", "locales"):
                shutil.copytree(ROOT / name, root / name)
            po = root / "locales" / "fr" / "LC_MESSAGES" / "hsg.po"
            with po.open("a", encoding="utf-8") as out:
                out.write(f'\n#~ msgid "Old long word"\n#~ msgstr "{"x" * size}"\n')
            # make update rewrite the file: drop one entry, update adds it back
            text = po.read_text(encoding="utf-8")
            dropped = text.replace('msgid "Sources"\nmsgstr "Sources"\n', "")
            assert dropped != text
            po.write_text(dropped, encoding="utf-8")
            for command in (["update", "--lang", "fr"], ["check", "--lang", "fr"],
                            ["export", "fr", "--out", str(root / "fr.xlf")]):
                started = time.perf_counter()
                proc = subprocess.run([sys.executable, str(ROOT / "generate.py"), *command,
                                       "--root", str(root), "-q"], capture_output=True,
                                      timeout=600)
                seconds = time.perf_counter() - started
                if command[0] == "update":
                    assert 'msgid "Sources"' in po.read_text(encoding="utf-8"), proc.stderr
                print(f"| {size:,} | {po.stat().st_size:,} | {command[0]} | "
                      f"{proc.returncode} | {seconds:.2f} |", flush=True)
            assert ("x" * size) in po.read_text(encoding="utf-8"), "the long word was lost"


if __name__ == "__main__":
    main()
