"""Slide metadata for the notebooks, so that each presents as a slideshow (jupyterlab-rise).

Usage: ``python tools/slides.py notebooks/*.ipynb`` (``make execute`` runs it first).

The rules (tests/test_notebooks.py checks that every notebook follows them):

- the title and every section (``#`` and ``##`` headings) start a slide;
- a subsection (``###``), an exercise (``**Exercise``), a long derivation (a markdown cell
  with two or more display formulas and more than 12 lines), every figure (a code cell
  that shows a plot) and every explorer (its ``**Explore.**`` sentence, followed by the cell
  that calls ``helpers.explorers``) start a sub-slide, so a figure is not squeezed under
  the text before it;
- the cell that defines an exercise's checks (hidden in JupyterLab) is skipped;
- every other cell continues the slide it is on.

The notebooks' ``rise`` metadata lets a long slide scroll.
"""

from __future__ import annotations

import re
import sys

import nbformat

FIGURE = re.compile(r"plt\.show\(\)|plot_loss_and_grad\(|save_figure\(")
EXPLORER = "helpers.explorers."
RISE = {"scroll": True, "transition": "none"}


def slide_type(cell):
    """The slide type the rules give ``cell`` (an nbformat cell)."""
    src = cell.source.lstrip()
    if cell.cell_type == "markdown":
        if re.match(r"#{1,2} ", src):
            return "slide"
        long_derivation = src.count("$$") >= 4 and src.count("\n") >= 12
        starts = ("### ", "**Exercise", "**Explore.**")
        if src.startswith(starts) or long_derivation:
            return "subslide"
        return "-"
    if cell.cell_type == "code":
        if cell.metadata.get("jupyter", {}).get("source_hidden") and "def check_" in src:
            return "skip"
        if FIGURE.search(src) and EXPLORER not in src:
            return "subslide"
    return "-"


def apply(nb):
    """Set every cell's ``slideshow.slide_type`` by the rules; return whether anything changed."""
    changed = nb.metadata.get("rise") != RISE
    nb.metadata["rise"] = dict(RISE)
    for cell in nb.cells:
        want = slide_type(cell)
        if cell.metadata.get("slideshow", {}).get("slide_type") != want:
            cell.metadata["slideshow"] = {"slide_type": want}
            changed = True
    return changed


def main(paths):
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if apply(nb):
            nbformat.write(nb, path)
            print(f"slides: {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
