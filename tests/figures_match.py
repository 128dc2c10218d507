"""The figures a test run regenerated look like the committed ones (run by ``make nbval``).

``make nbval`` executes the notebooks with ``$COURSE_FIGURES`` pointing at a temporary
directory, then runs this file (its name keeps it out of ``pytest tests``): each figure is
compared with the committed one by what it shows, with matplotlib's ``compare_images`` (the
RMS of the pixel differences, 0–255), not by its bytes. Another CPU's kernels may move a
curve by a fraction of a pixel (RMS well under 0.05 in practice); a changed curve, label,
axis or legend moves whole glyphs and lines (RMS 0.6 and more). ``tests/test_figures.py``
shows both sides of the tolerance.
"""

import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from matplotlib.testing.exceptions import ImageComparisonFailure

import helpers

#: RMS tolerance of the figure comparison (pixel values 0–255).
TOLERANCE = 0.3


def figure_difference(expected, actual, tol=TOLERANCE):
    """None if ``actual`` shows what ``expected`` shows, within ``tol``; else why not."""
    try:
        return compare_images(str(expected), str(actual), tol=tol)
    except ImageComparisonFailure as e:  # e.g. another size
        return str(e)


def _regenerated():
    run = os.environ.get(helpers.plot.FIGURES_ENV)
    if not run or Path(run).resolve() == helpers.FIGURES.resolve():
        pytest.fail(f"set {helpers.plot.FIGURES_ENV} to the directory the notebooks wrote "
                    "their figures to (make nbval does it)")
    return Path(run)


def _committed():
    """The committed figures of the notebooks that ran: those of $COURSE_NOTEBOOKS (paths,
    set by make nbval, which may run only some), else of every notebook."""
    ran = os.environ.get("COURSE_NOTEBOOKS", "").split()
    numbers = {Path(p).name.split("_")[0] + "_" for p in ran}
    return sorted(p.name for p in helpers.FIGURES.glob("*.png")
                  if not numbers or p.name.startswith(tuple(numbers)))


COMMITTED = _committed()


@pytest.mark.parametrize("name", COMMITTED)
def test_regenerated_figure_matches_the_committed_one(name):
    actual = _regenerated() / name
    assert actual.is_file(), f"no notebook wrote {name} in this run"
    diff = figure_difference(helpers.FIGURES / name, actual)
    assert diff is None, f"{name} no longer shows what the committed figure shows:\n{diff}"


def test_every_regenerated_figure_is_committed():
    written = {p.name for p in _regenerated().glob("*.png") if "-failed-diff" not in p.name}
    new = sorted(written - {p.name for p in helpers.FIGURES.glob("*.png")})
    assert not new, f"figures written but not committed (make execute, then commit): {new}"
