"""What a learner sees in JupyterLab, and an instructor in slideshow mode, in Chromium.

- every notebook opens with its math typeset (no MathJax error, no raw TeX left) and every
  image loaded, each explorer's default drawing included, and without the news prompt;
- each explorer, in a kernel: moving a slider changes the drawing;
- one notebook, run with Run All, shows no error output;
- slideshow mode (jupyterlab-rise) shows a notebook's slides with the math rendered.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPLORER = re.compile(r"helpers\.explorers\.(\w+)\(")
WITH_EXPLORER = [p for p in NOTEBOOKS if EXPLORER.search(p.read_text(encoding="utf-8"))]

# TeX that MathJax should have replaced: a command, or a $$ left in the text
RAW_TEX = r"(\$\$|\\(frac|sum|log|mathrm|partial|sigma|ell|hat|left|right|operatorname|"
RAW_TEX += r"exp|cdot|lVert|mathbb|tfrac|dfrac|begin|end)\b)"

JS_RAW_TEX = """(pattern) => {
  const re = new RegExp(pattern);
  const bad = [];
  for (const md of document.querySelectorAll('.jp-NotebookPanel .jp-RenderedMarkdown')) {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('code, pre, mjx-container, mjx-assistive-mml').forEach(e => e.remove());
    if (re.test(copy.textContent)) bad.push(copy.textContent.slice(0, 120));
  }
  return bad;
}"""

JS_BROKEN_IMAGES = """() => [...document.querySelectorAll('.jp-NotebookPanel img')]
  .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src.slice(0, 60))"""


def _open(page, lab, path):
    """Open a notebook and wait until every markdown cell is rendered and typeset."""
    nb = nbformat.read(path, as_version=4)
    n_md = sum(c.cell_type == "markdown" for c in nb.cells)
    page.goto(f"{lab}/lab/tree/notebooks/{path.name}?reset")  # no other tab restored
    page.wait_for_function(
        """(n) => document.querySelectorAll(
            '.jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown').length >= n""", arg=n_md)
    # MathJax typesets asynchronously: wait until no $$ or \\( delimiters are pending
    page.wait_for_function("""() => ![...document.querySelectorAll(
        '.jp-NotebookPanel .jp-RenderedMarkdown')].some(e => e.textContent.includes('$$'))""")
    page.wait_for_timeout(1000)
    return nb


# MathJax marks an unknown macro (a typo such as \\lVret) not with mjx-merror but by
# typesetting its name in red: look for red text inside the typeset math too.
JS_RED_MATH = """() => [...document.querySelectorAll('.jp-NotebookPanel mjx-container')]
  .filter(m => [...m.querySelectorAll('mjx-mtext, mjx-merror, [mathcolor], [style*="color"]')]
    .some(e => /red|rgb\\(255, ?0, ?0\\)/i.test(
      (e.getAttribute('mathcolor') || '') + ' ' + (e.getAttribute('style') || '') + ' ' +
      getComputedStyle(e).color)))
  .map(m => (m.querySelector('mjx-assistive-mml') || m).textContent.slice(0, 80))"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_renders(page, lab, path):
    nb = _open(page, lab, path)
    assert page.locator("mjx-merror").count() == 0, "a MathJax error"
    red = page.evaluate(JS_RED_MATH)
    assert not red, f"math MathJax could not typeset (unknown macro?): {red[:3]}"
    raw = page.evaluate(JS_RAW_TEX, RAW_TEX)
    assert not raw, f"raw TeX left in rendered markdown: {raw[:3]}"
    broken = page.evaluate(JS_BROKEN_IMAGES)
    assert not broken, f"images that did not load: {broken}"
    stored = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    shown = page.locator(".jp-NotebookPanel .jp-OutputArea-output img").count()
    assert shown == stored, f"{stored} stored figures, {shown} shown"
    assert page.get_by_text("get notified about official Jupyter news").count() == 0


def _run_cells(page, indices):
    """Run the given cells in the open notebook's kernel, in order, and wait for each."""
    page.evaluate("""async (indices) => {
        const app = window.jupyterapp;
        const panel = app.shell.currentWidget;
        await panel.sessionContext.ready;
        for (const i of indices) {
            panel.content.activeCellIndex = i;
            await app.commands.execute('notebook:run-cell');
        }
    }""", indices)


def _explorer_image(page, cell_index):
    return page.locator(".jp-NotebookPanel .jp-Cell").nth(cell_index).locator(
        ".jp-OutputArea-output img").last


@pytest.mark.parametrize("path", WITH_EXPLORER, ids=lambda p: p.stem)
def test_explorer_answers_a_slider(page, lab, path):
    nb = _open(page, lab, path)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    explorer = next(i for i in code if EXPLORER.search(nb.cells[i].source))
    _run_cells(page, [code[0], explorer])  # the setup cell (imports), then the explorer
    cell = page.locator(".jp-NotebookPanel .jp-Cell").nth(explorer)
    slider = cell.locator(".widget-slider .noUi-handle, .widget-slider .slider-handle").first
    slider.wait_for(state="visible")
    image = _explorer_image(page, explorer)
    before = image.get_attribute("src")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.wait_for_function(
        """([i, before]) => {
            const cell = document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[i];
            const imgs = cell.querySelectorAll('.jp-OutputArea-output img');
            return imgs.length && imgs[imgs.length - 1].src !== before;
        }""", arg=[explorer, before])
    errors = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()


def test_run_all_shows_no_error(page, lab):
    path = ROOT / "notebooks" / "01_mae_mse.ipynb"
    nb = _open(page, lab, path)
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    counts = page.evaluate("""async () => {
        const app = window.jupyterapp;
        const panel = app.shell.currentWidget;
        await panel.sessionContext.ready;
        // a fresh kernel: an earlier test may have run cells of this notebook in its kernel
        await panel.sessionContext.session.kernel.restart();
        await app.commands.execute('notebook:run-all-cells');
        while (panel.sessionContext.session.kernel.status !== 'idle') {
            await new Promise(r => setTimeout(r, 250));
        }
        return panel.content.widgets.filter(c => c.model.type === 'code')
            .map(c => c.model.executionCount);
    }""")
    # Run All ran every code cell, in order, in one fresh kernel
    assert counts == list(range(1, n_code + 1)), counts
    assert page.locator(".jp-OutputArea-output[data-mime-type="
                        "'application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-RenderedText[data-mime-type="
                        "'application/vnd.jupyter.error']").count() == 0
    assert page.get_by_text("Traceback").count() == 0


def test_slideshow_shows_slides_with_math(page, lab):
    path = ROOT / "notebooks" / "01_mae_mse.ipynb"
    nb = nbformat.read(path, as_version=4)
    n_slides = sum(c.metadata.get("slideshow", {}).get("slide_type") == "slide"
                   for c in nb.cells)
    page.goto(f"{lab}/rise/notebooks/{path.name}")
    page.wait_for_selector(".reveal .slides > section")
    assert page.locator(".reveal .slides > section").count() == n_slides
    for _ in range(n_slides * 4):  # walk on until a slide with typeset math is shown
        if page.locator(".reveal section.present mjx-container").count() > 0:
            break
        page.keyboard.press("Space")
        page.wait_for_timeout(300)
    assert page.locator(".reveal section.present mjx-container").count() > 0, "no math shown"
    assert page.locator("mjx-merror").count() == 0
