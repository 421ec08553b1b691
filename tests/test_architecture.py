"""DESIGN.md as checks: the pure libraries work with no Django settings (`make lint` runs the
import contracts of pyproject.toml with `lint-imports`)."""

import ast
import hashlib
import json
import os
import pathlib
import subprocess
import sys

# The modules that DESIGN.md (and pyproject's import-linter contract) call pure libraries.
PURE = [
    "partnership.ledger.canonical",
    "partnership.ledger.keys",
    "partnership.ledger.records",
    "partnership.ledger.checkpoint",
    "partnership.ledger.merkle",
    "partnership.ledger.sealing",
    "partnership.trust.health_certificates.dcc",
    "partnership.trust.health_certificates.shc",
    "partnership.trust.health_certificates.vdsnc",
    "partnership.trust.health_certificates.qr",
    "partnership.trust.health_certificates.verifier",
    "partnership.trust.health_certificates.equivalence",
    "partnership.trust.health_certificates.countries",
    "partnership.detection",
    "partnership.detection.backtest",
    "partnership.detection.synthetic",
]

SCRIPT = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from partnership.ledger.canonical import canonical_json
from partnership.ledger.merkle import leaf_hash, root
print(json.dumps({
    "django": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
    "canonical": canonical_json({"b": 1, "a": "\\u65e5"}).decode(),
    "root": root([leaf_hash(b"a"), leaf_hash(b"b")]).hex(),
}))
"""


def test_the_pure_libraries_import_and_work_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, *PURE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["django"] == [], "a pure library pulled in Django"
    assert found["canonical"] == '{"a":"日","b":1}'
    # RFC 6962 section 2.1, computed here independently.
    leaves = [hashlib.sha256(b"\x00" + data).digest() for data in (b"a", b"b")]
    assert found["root"] == hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).hexdigest()


# STYLE.md 2 and issue 13 (item 4): entry points are thin, every read goes through a `queries.py`.
ENTRY_POINT_FILES = {
    "views.py",
    "api.py",
    "register_views.py",
    "register_api.py",
    "report_views.py",
    "urls.py",
    "report_urls.py",
    "taxii.py",
    "cli.py",
    "alert_views.py",
    "alert_api.py",
}
# The method names that run (or build) a database query, on a manager, a queryset or a related
# manager; a name here on anything else (a dict, a list) is still flagged: rename the call or move it.
ORM_METHODS = {
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "values_list",
    "order_by",
    "distinct",
    "only",
    "defer",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "in_bulk",
    "extra",
    "raw",
}


def _entry_points(package: pathlib.Path) -> list[pathlib.Path]:
    # A module of its own for a part's pages or routes (`register_views.py`, `reports_api.py`) is an entry
    # point by its name: a list of names let a new one pass unread.
    found = [
        path
        for path in package.rglob("*.py")
        if path.name in ENTRY_POINT_FILES or path.name.endswith(("_views.py", "_api.py", "_urls.py"))
    ]
    found += [path for path in package.rglob("management/commands/*.py") if path.name != "__init__.py"]
    return sorted(set(found))


def _orm_calls(path: pathlib.Path, root: pathlib.Path) -> list[str]:
    """Each ORM use in one module: `file:line: what`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, ".objects"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_METHODS
        ):
            found.append((node.lineno, f".{node.func.attr}()"))
    return [f"{path.relative_to(root)}:{line}: {what}" for line, what in sorted(found)]


def test_no_entry_point_queries_the_database_itself():
    """Views, API handlers, URL modules, the TAXII handlers (`taxii.py`: the views of /taxii2/, an entry
    point like any other), the report's views and every management command call a `queries.py` (reads)
    or `services.py` (writes) function and make no ORM call of their own: the page, the API and the
    command for one list share one read path, and its visibility rule cannot be skipped by one of them.
    Not checked: `admin.py` (Django's admin is a ModelAdmin over the ORM by design, for superusers),
    `panels.py`/`contract.py` (the apps' registrations, which call their queries) and templates."""
    package = pathlib.Path(__file__).resolve().parent.parent / "src" / "partnership"
    modules = _entry_points(package)
    assert any(path.name == "taxii.py" for path in modules)  # the walk finds the modules it should
    assert any(path.name == "reports_api.py" for path in modules)  # and a part's own routes, by name
    assert any("management" in path.parts for path in modules)
    found = [use for path in modules for use in _orm_calls(path, package.parent)]
    assert found == [], "ORM calls in entry points (move them to the app's queries.py):\n" + "\n".join(found)
