"""The course's explorers: sliders and toggles (ipywidgets) that redraw a figure.

How to add an explorer
----------------------
Write a function ``draw(axes, **values)`` that computes with the helpers and draws on the
given matplotlib axes (they arrive empty), and name one widget per value::

    import ipywidgets as w
    from helpers.interactive import explore

    def draw(axes, z):
        ax_loss, ax_grad = axes
        zs = np.linspace(-6, 6, 241)
        ax_loss.plot(zs, softplus(-zs))
        ax_loss.plot(z, softplus(-z), "o")
        ...

    explore(draw, {"z": w.FloatSlider(value=0.0, min=-6.0, max=6.0, step=0.1)})

The cell then shows the controls above the drawing, and moving a control redraws it. The
drawing is an ordinary PNG output, updated in place, so a notebook opened without a
kernel (or saved after ``make execute``) still shows the default drawing. Keep one idea per
explorer, with the variable the learner moves on the horizontal axis; the helper computes,
the draw function only draws. ``helpers/explorers.py`` holds the course's explorers, and
``tests/test_explorers.py`` moves every control of each to its extremes.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
from IPython.display import Image, display
from matplotlib.figure import Figure

from .plot import COURSE_STYLE, use_course_style

__all__ = ["Explorer", "explore"]

#: Shown in place of the controls in a notebook opened without running the cell.
NOT_RUN = "[Run this cell to get the controls; the drawing below is the default one.]"


class Explorer:
    """Controls bound to a drawing; built by :func:`explore` (see there).

    Attributes
    ----------
    controls : dict of str -> ipywidgets.ValueWidget
    figure : matplotlib.figure.Figure
        Redrawn in place on every change (not registered with pyplot).
    png : bytes
        The current drawing, as shown.

    Notes
    -----
    ``set(name=value, ...)`` moves controls as a learner would and returns the new PNG;
    an error in ``draw`` propagates, which is what the tests look for.
    """

    def __init__(self, draw, controls, *, ncols=2, figsize=None):
        if not controls:
            raise ValueError("an explorer needs at least one control")
        bad = [k for k, c in controls.items() if not isinstance(c, widgets.ValueWidget)]
        if bad:
            raise ValueError(f"controls must be ipywidgets value widgets; not: {bad}")
        use_course_style()
        self.draw, self.controls = draw, dict(controls)
        for name, control in self.controls.items():
            if not control.description:
                control.description = name
            control.continuous_update = False  # redraw on release: one PNG per move
            control.observe(self._on_change, names="value")
        self.figure = Figure(figsize=figsize or COURSE_STYLE["figure.figsize"])
        self.axes = list(self.figure.subplots(1, ncols)) if ncols > 1 else [
            self.figure.subplots()]
        self._handle = None
        self.png = self._render()

    def values(self):
        """The controls' current values.

        Returns
        -------
        dict of str -> value
        """
        return {name: c.value for name, c in self.controls.items()}

    def _render(self):
        for ax in self.axes:
            ax.clear()
        self.draw(self.axes, **self.values())
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=COURSE_STYLE["savefig.dpi"],
                            metadata={"Software": None})
        return buf.getvalue()

    def _on_change(self, _change):
        self.png = self._render()
        if self._handle is not None:
            self._handle.update(Image(data=self.png))

    def set(self, **values):
        """Move controls (by name) as a learner would, and redraw.

        Returns
        -------
        bytes: the new drawing, as PNG.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"no such control: {sorted(unknown)}")
        for name, value in values.items():
            self.controls[name].value = value  # the observer redraws, as in the browser
        return self.png

    def show(self):
        """Display the controls, then the drawing (call it once, at the end of a cell).

        Returns
        -------
        None
        """
        box = widgets.HBox(list(self.controls.values()),
                           layout=widgets.Layout(flex_flow="row wrap"))
        bundle = box._repr_mimebundle_()
        # what a notebook shows in place of the controls until the cell runs in a kernel
        bundle["text/plain"] = NOT_RUN
        display(bundle, raw=True)
        self._handle = display(Image(data=self.png), display_id=True)


def explore(draw, controls, *, ncols=2, figsize=None, show=True):
    """Bind ipywidgets controls to a drawing that is redrawn whenever a control moves.

    Parameters
    ----------
    draw : callable
        ``draw(axes, **values)``: draws on ``axes`` (a list of ``ncols`` empty matplotlib
        axes) for the current ``values`` of the controls, one keyword per control.
    controls : dict of str -> ipywidgets.ValueWidget
        Sliders (``FloatSlider``, ``IntSlider``, ``FloatLogSlider``), toggles
        (``ToggleButtons``, ``Checkbox``) or ``Dropdown``; a control without a description
        is labelled with its name.
    ncols : int, default 2
        Panels side by side (the course's loss-and-gradient pair).
    figsize : (float, float), optional
        Inches; the course's 8 x 3 by default.
    show : bool, default True
        Display the controls and the drawing now (in a notebook cell).

    Returns
    -------
    Explorer: the controls, the figure and the current PNG (``explorer.set(...)`` moves
    the controls from code, as the tests do).
    """
    explorer = Explorer(draw, controls, ncols=ncols, figsize=figsize)
    if show:
        explorer.show()
    return explorer
