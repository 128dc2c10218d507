"""Every notebook follows the template of COURSE.md and was executed top to bottom.

(nbval re-executes them and compares the outputs; this checks their structure, fast.)
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# the introduction has objectives and a summary, but no exercises
NO_EXERCISES = {"00_introduction"}
VARYING = re.compile(r"at 0x[0-9a-f]{6,}|/work/|/home/|/tmp/|/Users/|site-packages")


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under notebooks/"


def _headings(nb):
    return [line.lstrip("#").strip().lower()
            for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("#")]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request):
    nb = nbformat.read(request.param, as_version=4)
    nbformat.validate(nb)
    nb.path = request.param
    return nb


def test_title_and_sections(nb):
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "no title"
    assert "**learning objectives" in first.source.lower(), "objectives belong under the title"
    headings = _headings(nb)
    needed = ["summary"] if nb.path.stem in NO_EXERCISES else ["pitfalls", "exercises", "summary"]
    for section in needed:
        assert any(section in h for h in headings), f"{nb.path.name} has no '{section}' section"


def test_executed_top_to_bottom_without_errors(nb):
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{nb.path.name}: execute it in a fresh kernel (make execute)"
    for c in code:
        for out in c.outputs:
            assert out.output_type != "error", f"{nb.path.name}: stored error in {c.source[:60]!r}"


def test_imports_helpers_and_seeds(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert re.search(r"^\s*(import helpers|from helpers import)", code, re.M), "no helpers import"
    if re.search(r"torch\.randn|torch\.rand\b|nn\.Linear|default_rng", code):
        assert "manual_seed" in code or "default_rng(" in code, "random numbers without a seed"
    assert "%autoreload" not in code


def test_no_output_that_varies(nb):
    for c in nb.cells:
        for out in c.get("outputs", []):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not VARYING.search(text), \
                f"{nb.path.name}: output varies between machines: {VARYING.search(text)[0]!r}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem not in NO_EXERCISES],
                         ids=lambda p: p.stem)
def test_exercises_check_themselves(path):
    nb = nbformat.read(path, as_version=4)
    src = "\n".join(c.source for c in nb.cells)
    assert re.search(r"def check_\w+\(", src), "exercises need self-check functions"
    assert "helpers.verdict(" in src, "self-checks answer through helpers.verdict"
    assert "<details>" in src, "solutions are folded in <details>"


FIGURE_NAME = re.compile(r"""(?:name=|save_figure\(\s*\w+,)\s*["']([\w-]+)["']""")


def _figure_names(nb):
    """The figures a notebook writes: the names it passes to the plot helpers."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return set(FIGURE_NAME.findall(code))


def test_writes_its_figures(nb):
    names = _figure_names(nb)
    number = nb.path.stem.split("_")[0]
    assert names, f"{nb.path.name} writes no figure through the plot helpers"
    for name in names:
        assert name.startswith(number + "_"), f"{name}: figure names start with {number}_"
        assert (ROOT / "figures" / f"{name}.png").is_file(), f"figures/{name}.png is missing"


def test_every_figure_comes_from_a_notebook():
    written = set().union(*(_figure_names(nbformat.read(p, as_version=4)) for p in NOTEBOOKS))
    orphans = sorted(f.stem for f in (ROOT / "figures").glob("*.png") if f.stem not in written)
    assert not orphans, f"figures that no notebook writes (stale?): {orphans}"


def test_readme_maps_every_notebook_and_its_figures_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, f"README's map has no link to {path.name}"
    for link in re.findall(r"\((figures/[^)]+\.png)\)", readme):
        assert (ROOT / link).is_file(), f"README shows {link}, which does not exist"


def test_check_cells_are_hidden(nb):
    """A cell that defines an exercise check keeps its source folded in JupyterLab, so the
    learner reads the exercise, not the answer the check computes (COURSE.md, template 9)."""
    for c in nb.cells:
        checks = re.findall(r"^def (check_\w+)\(", c.source, re.M)
        if c.cell_type == "code" and checks:
            hidden = c.metadata.get("jupyter", {}).get("source_hidden", False)
            assert hidden is True, (f"{nb.path.name}: the cell defining {checks[0]} must have "
                                    "metadata jupyter.source_hidden = true")


def _slides_rules():
    spec = importlib.util.spec_from_file_location("slides", ROOT / "tools" / "slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SLIDES = _slides_rules()


def test_presents_as_slides(nb):
    """Every cell carries the slide type of tools/slides.py's rules (a section a slide,
    subsections, exercises, long derivations, figures and explorers their own sub-slides),
    so the notebook presents as a slideshow; `python tools/slides.py` applies them."""
    assert nb.metadata.get("rise") == SLIDES.RISE, "run tools/slides.py on it"
    for i, c in enumerate(nb.cells):
        got = c.metadata.get("slideshow", {}).get("slide_type")
        assert got == SLIDES.slide_type(c), \
            f"{nb.path.name} cell {i}: slide type {got!r}, the rules say {SLIDES.slide_type(c)!r}"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


# every notebook that teaches a family of losses; not the introduction or the capstone
NO_EXPLORER = {"00_introduction", "08_choosing_a_loss"}


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem not in NO_EXPLORER],
                         ids=lambda p: p.stem)
def test_loss_notebooks_have_an_explorer(path):
    nb = nbformat.read(path, as_version=4)
    at = [i for i, c in enumerate(nb.cells)
          if c.cell_type == "code" and "helpers.explorers." in c.source]
    assert len(at) == 1, "one explorer per loss notebook (helpers/explorers.py)"
    assert nb.cells[at[0] - 1].source.startswith("**Explore.**"), \
        "an explorer follows one sentence on what to try, starting '**Explore.**'"
    cells = [nb.cells[at[0]]]
    kinds = {o.output_type for o in cells[0].outputs}
    data = [o.get("data", {}) for o in cells[0].outputs]
    assert any("image/png" in d for d in data), "the stored explorer shows its default drawing"
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data), kinds


def test_every_heading_starts_its_cell(nb):
    """A heading in the middle of a markdown cell would not start a slide (the rules look at
    a cell's first line): each #, ## or ### heading begins its own cell."""
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown":
            continue
        fence, details = False, 0
        for k, line in enumerate(c.source.splitlines()):
            fence ^= line.strip().startswith("```")
            details += line.count("<details") - line.count("</details>")
            assert k == 0 or fence or details or not re.match(r"#{1,3} ", line), \
                f"{nb.path.name} cell {i}: the heading {line!r} should start a cell of its own"


def test_every_loss_of_torch_is_taught():
    """Each loss function of torch.nn.functional is called in some notebook's code, and so
    is the one loss module that has no function, nn.AdaptiveLogSoftmaxWithLoss."""
    import torch.nn.functional as F
    losses = [n for n in dir(F) if not n.startswith("_")
              and (n.endswith("_loss") or "entropy" in n or n == "kl_div")]
    code = "\n".join(c.source for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells
                     if c.cell_type == "code")
    untaught = [n for n in losses if not re.search(rf"\bF\.{n}\(", code)]
    assert not untaught, f"no notebook calls F.{untaught}"
    assert re.search(r"\bnn\.AdaptiveLogSoftmaxWithLoss\(", code)
