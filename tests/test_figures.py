"""The figure comparison of ``make nbval`` (tests/figures_match.py): a numerical change
far below a pixel passes, a changed curve, label, legend or axis fails."""

import matplotlib
import numpy as np
import pytest
from figures_match import TOLERANCE, figure_difference

import helpers

matplotlib.use("Agg")

X = np.linspace(-3, 3, 301)


def _draw(name, *, scale=1.0, noise=0.0, xlabel="residual", label="MSE", ylim=None):
    """The kind of figure the notebooks write: two curves and their gradients."""
    wobble = 1 + noise * np.random.default_rng(0).standard_normal(X.size)
    helpers.plot_loss_and_grad(X, {label: scale * X**2 * wobble, "MAE": abs(X)},
                               {label: 2 * scale * X * wobble, "MAE": np.sign(X)},
                               name=name, xlabel=xlabel, loss_ylim=ylim)
    return helpers.figures_dir() / f"{name}.png"


def test_other_kernels_pass(tmp_figures):
    """Another CPU's kernels change float64 results in the last bits and float32 ones in
    about the 7th digit: a relative change of 1e-6 of every point (10x float32's epsilon),
    which moves the anti-aliasing of a few pixels, is within the tolerance."""
    base = _draw("base")
    moved = _draw("moved", noise=1e-6)
    assert base.read_bytes() != moved.read_bytes(), "the change must reach the pixels"
    assert figure_difference(base, moved) is None


@pytest.mark.parametrize("change", [
    {"scale": 1.05},             # a curve 5% higher
    {"xlabel": "residuaI"},      # one glyph of an axis label (l -> I)
    {"label": "MSF"},            # one glyph of a legend entry
    {"ylim": (0, 10)},           # another axis range
])
def test_a_changed_figure_fails(tmp_figures, change):
    base = _draw("base")
    changed = _draw("changed", **change)
    assert figure_difference(base, changed) is not None


def test_another_size_fails_without_raising(tmp_figures):
    base = _draw("base")
    fig = helpers.plot_loss_and_grad(X, X**2, 2 * X, name=None, xlabel="residual")
    fig.set_size_inches(6, 3)
    helpers.save_figure(fig, "smaller")
    assert figure_difference(base, tmp_figures / "smaller.png") is not None


def test_tolerance_is_small():
    assert 0 < TOLERANCE <= 0.5
