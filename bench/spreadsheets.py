"""Benchmark: how fast and how cheaply `partnership import` refuses hostile spreadsheets (issue 12).

    .venv/bin/python bench/spreadsheets.py

Builds, in a temporary folder, the files of the attacker's review and a few more: an XLSX zip bomb
(one sheet of 160 MB of one letter, about 160 KB on disk), an XLSX with 2 million blank rows then data
(as a gap, as written rows, as a declared size), a CSV of 10 million blank lines, a CSV line of
5 MB without end, and for comparison a legitimate XLSX and CSV of 50,000 deliverables (the row limit)
as `partnership export` writes them. Each file is read by `spreadsheets.read_table` in a process of
its own, so its time and peak memory are its own. Target: every hostile file refused in well under a
second (0.5 s), at little memory; before the fix the review measured 742 MB for a 300 KB XLSX and
35 s for 2 million blank rows. Prints the figures and exits 0 whether they pass or not.
"""

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

TARGET_SECONDS = 0.5
HEADER = ["action", "title", "language", "due_cycle"]


def setup_django(data_dir: str) -> None:
    os.environ["PARTNERSHIP_DATA_DIR"] = data_dir
    os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    import django

    django.setup()


def xlsx_with_sheet(path: Path, chunks, dimension: str | None = None) -> Path:
    """An XLSX file whose first sheet is the given XML, streamed into the zip chunk by chunk."""
    from openpyxl import Workbook

    template = path.with_suffix(".template.xlsx")
    workbook = Workbook()
    workbook.active.append(["x"])
    workbook.save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                target.writestr(part, source.read(part.filename))
                continue
            with target.open(part.filename, "w") as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                if dimension:
                    sheet.write(f'<dimension ref="{dimension}"/>'.encode())
                sheet.write(b"<sheetData>")
                for chunk in chunks:
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    template.unlink()
    return path


def row(number: int, values) -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def build(folder: Path) -> dict[str, Path]:
    """Every file of the benchmark, by name."""
    from partnership.programme import spreadsheets

    files = {}
    letters = (
        [b'<row r="2"><c r="A2" t="inlineStr"><is><t>'] + [b"A" * 2**20] * 160 + [b"</t></is></c></row>"]
    )
    files["xlsx zip bomb (160 MB sheet)"] = xlsx_with_sheet(folder / "bomb.xlsx", [row(1, HEADER), *letters])
    late = row(2_000_002, ["46", "Late", "en", "2027"])
    files["xlsx 2M blank rows (gap)"] = xlsx_with_sheet(folder / "gap.xlsx", [row(1, HEADER), late])
    blank = (f'<row r="{n}"/>'.encode() for n in range(2, 2_000_002))
    files["xlsx 2M blank rows (written)"] = xlsx_with_sheet(
        folder / "written.xlsx", [row(1, HEADER), *blank, late]
    )
    files["xlsx 2M rows (declared)"] = xlsx_with_sheet(
        folder / "declared.xlsx", [row(1, HEADER)], dimension="A1:D2000002"
    )
    csv_blank = folder / "blank.csv"
    csv_blank.write_bytes(",".join(HEADER).encode() + b"\n" * 10_000_000)
    files["csv 10M blank lines"] = csv_blank
    csv_long = folder / "long.csv"
    csv_long.write_bytes(",".join(HEADER).encode() + b"\n46," + b"x" * (5 * 2**20))
    files["csv 5 MB line"] = csv_long

    # The legitimate comparison: 50,000 deliverables as the export writes them.
    words = ["joint", "report", "cable", "outage", "supply", "chain", "early", "warning", "data", "trust"]
    generator = random.Random(12)
    rows = [
        [
            f"00000000-0000-4000-8000-{n:012d}",
            1,
            46 + n % 40,
            "JP",
            "jp-digital-agency",
            " ".join(generator.choices(words, k=8)),
            " ".join(generator.choices(words, k=40)),
            "en",
            "2027-03-31",
            "",
            "planned",
            "https://example.org/" + str(n),
        ]
        for n in range(spreadsheets.MAX_ROWS)
    ]
    for suffix in ("xlsx", "csv"):
        path = folder / f"legitimate.{suffix}"
        spreadsheets.write_table(path, spreadsheets.DELIVERABLE_COLUMNS, rows)
        files[f"{suffix} 50,000 rows (legitimate)"] = path
    return files


def read_one(path: str) -> None:
    """In a child: read the file, print seconds, peak RSS in MB and the outcome."""
    import openpyxl  # noqa: F401 (imported before the clock starts: a server has it loaded already)

    from partnership.programme import spreadsheets

    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        table = spreadsheets.read_table(path, spreadsheets.DELIVERABLE_COLUMNS, {"action"})
        outcome = f"read {len(table)} rows"
    except spreadsheets.SpreadsheetError as error:
        outcome = f"refused: {error}"
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f}\t{cpu:.3f}\t{peak_mb:.0f}\t{outcome}")


def child(path: Path) -> list[str]:
    """Read `path` in a fresh process: (seconds, peak MB, outcome)."""
    command = [sys.executable, __file__, "--read", str(path)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 (our own command)
    return out.stdout.strip().split("\t", 3)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--read":
        with tempfile.TemporaryDirectory() as data_dir:
            setup_django(data_dir)
            read_one(sys.argv[2])
        return
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        folder = Path(data_dir)
        files = build(folder)
        # The memory of a child that only sets Django up and reads nothing, to subtract.
        base_mb = float(child(folder / "missing.txt")[2])
        target = f"target: hostile <= {TARGET_SECONDS} s"
        print(f"{'file':34} {'size':>9} {'wall s':>8} {'CPU s':>7} {'memory':>8}  outcome ({target} CPU)")
        for name, path in files.items():
            seconds, cpu, peak, outcome = child(path)
            hostile = "legitimate" not in name
            verdict = ("ok" if float(cpu) <= TARGET_SECONDS else "SLOW") if hostile else ""
            size = path.stat().st_size
            print(
                f"{name:34} {size / 1024:>7.0f}KB {float(seconds):>8.3f} {float(cpu):>7.3f}"
                f" {float(peak) - base_mb:>6.0f}MB"
                f"  {verdict:4} {outcome[:90]}"
            )
        print(f"(memory: peak RSS above a process that only starts Django, {base_mb:.0f} MB; CPU time, since")
        print(" the wall time of a shared machine counts the other processes too)")


if __name__ == "__main__":
    main()
