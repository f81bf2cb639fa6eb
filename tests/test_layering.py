"""The house rules: arrows point down only (app_pages -> ui -> (viz | runs) -> (nets | optim_core,
landscapes)), pure layers never import Streamlit, every ui module is Streamlit code, and the app
starts without torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = ("optim_core", "landscapes", "viz", "runs")
# what each floor may import of the project (itself always): nothing above it, nothing beside it
ALLOWED = {
    "optim_core": set(),
    "landscapes": set(),
    "nets": {"optim_core"},
    "runs": {"optim_core", "landscapes", "nets"},
    "viz": {"optim_core", "landscapes"},
    "ui": {"runs", "viz", "optim_core", "landscapes"},
    "app_pages": {"ui", "runs", "viz", "optim_core", "landscapes"},
    "bench": {"runs", "viz", "optim_core", "landscapes", "nets"},
}
PROJECT = set(ALLOWED) | {"app", "tests"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_pure_layers_do_not_import_streamlit_or_the_layers_above():
    for package in PURE:
        for path in (ROOT / package).rglob("*.py"):
            found = _imports(path)
            assert "streamlit" not in found, path
            assert not found & {"ui", "app_pages", "app"}, path
    for path in (ROOT / "optim_core").rglob("*.py"):
        assert not _imports(path) & {"landscapes", "viz", "plotly"}, path
    for path in (ROOT / "landscapes").rglob("*.py"):
        assert not _imports(path) & {"optim_core", "viz", "plotly"}, path


def _modules(package: str):
    return (ROOT / package).rglob("*.py") if (ROOT / package).exists() else ()


def test_arrows_point_down_only():
    for package, allowed in ALLOWED.items():
        for path in _modules(package):
            upward = (_imports(path) & PROJECT) - allowed - {package}
            assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


def test_runs_imports_neither_figures_nor_streamlit():
    for path in _modules("runs"):
        assert not _imports(path) & {"streamlit", "plotly", "viz", "ui"}, path


def test_every_ui_module_is_streamlit_code():
    for path in _modules("ui"):
        if path.name != "__init__.py":
            assert "streamlit" in _imports(path), f"{path.relative_to(ROOT)} is pure: it belongs below ui"


def test_torch_is_imported_only_where_it_is_the_point():
    allowed = {ROOT / "optim_core" / "torch_adabound.py"}
    for package in (*PURE, "ui", "app_pages"):  # nets/ is the torch floor
        for path in (ROOT / package).rglob("*.py"):
            if path not in allowed:
                assert "torch" not in _imports(path), path


def test_the_home_page_runs_without_importing_torch():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "print('torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
