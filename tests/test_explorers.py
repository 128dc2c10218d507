"""The explorers of notebooks 01–07 (helpers/explorers.py) and the helper behind them:
every control, moved to each of its extremes (alone, then all together), redraws without
an error or a RuntimeWarning (pyproject turns those into errors), and the drawing responds."""

import base64

import ipywidgets as w
import matplotlib
import pytest

import helpers
from helpers import explorers

matplotlib.use("Agg")


def _extremes(control):
    """The values a learner can reach at the ends of a control (and every option)."""
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** control.min, control.base ** control.max]
    if hasattr(control, "options"):
        return list(control.options)
    if isinstance(control, w.Checkbox):
        return [False, True]
    return [control.min, control.max]


@pytest.mark.parametrize("name", explorers.__all__)
def test_every_control_at_its_extremes(name):
    ex = getattr(explorers, name)(show=False)
    default, start = ex.png, ex.values()
    for cname, control in ex.controls.items():
        drawn = {ex.set(**{cname: v}) for v in _extremes(control)}
        assert drawn - {default}, f"{name}: moving {cname} does not change the drawing"
        ex.set(**{cname: start[cname]})
    for end in (0, -1):  # every control at the same end at once
        ex.set(**{c: _extremes(control)[end] for c, control in ex.controls.items()})
    assert ex.png[:8] == b"\x89PNG\r\n\x1a\n"


def test_set_redraws_like_a_learner_moving_the_slider():
    ex = explorers.regression_losses(show=False)
    before = ex.png
    ex.controls["c"].value = 10.0  # what the browser does
    assert ex.png != before and ex.values()["c"] == 10.0
    with pytest.raises(ValueError, match="no such control"):
        ex.set(nope=1)


def test_an_error_in_the_drawing_is_not_swallowed():
    def draw(axes, k):
        if k > 1:
            raise ZeroDivisionError("broken drawing")
        axes[0].plot([0, 1], [0, k])

    ex = helpers.explore(draw, {"k": w.IntSlider(value=0, min=0, max=2)}, show=False)
    with pytest.raises(ZeroDivisionError):
        ex.set(k=2)


@pytest.mark.parametrize("controls", [{}, {"k": 3}, {"k": w.Button()}])
def test_bad_controls_are_a_value_error(controls):
    with pytest.raises(ValueError, match="control"):
        helpers.explore(lambda axes, **v: None, controls, show=False)


def test_show_gives_the_controls_a_note_and_the_drawing_a_png():
    """What a notebook stores: the controls (with a note in place of the widget repr, which
    a notebook opened without a kernel shows) and the default drawing as a plain PNG."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        ex = explorers.focal_loss()
    controls, drawing = captured.outputs
    assert "application/vnd.jupyter.widget-view+json" in controls.data
    assert controls.data["text/plain"] == helpers.interactive.NOT_RUN
    assert base64.b64decode(drawing.data["image/png"]) == ex.png
