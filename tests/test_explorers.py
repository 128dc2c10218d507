"""The explorers of notebooks 01–07 (helpers/explorers.py) and the helper behind them:
every control, moved to each of its extremes (alone, then all together), redraws without
an error or a RuntimeWarning (pyproject turns those into errors), and the drawing responds."""

import base64

import ipywidgets as w
import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F

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


# ------------------------------------------------------------------ what the explorers compute
# Each explorer's numbers come from a private function of helpers/explorers.py; these check
# them against torch in float64 (04 also in float32, the dtype it is about).


_TARGETS = [0.0, 5.0, 20.0, 40.0]  # the outlier, across its slider


def _t(x, dtype=torch.float64, grad=False):
    return torch.tensor(np.asarray(x), dtype=dtype, requires_grad=grad)


@pytest.mark.parametrize("delta", [0.1, 1.0, 3.0, 10.0, 40.0])
@pytest.mark.parametrize("outlier", _TARGETS)
def test_01_curves_and_minimisers_match_torch(outlier, delta):
    y = np.array([1.0, 2.0, 3.0, 4.0, outlier])
    cs = np.linspace(-5.0, 45.0, 101)
    c = _t(cs, grad=True)
    yt = _t(y)
    torch_losses = {
        "MAE": lambda c: F.l1_loss(c[:, None].expand(-1, 5), yt.expand(c.numel(), 5),
                                   reduction="none").mean(1),
        "MSE": lambda c: F.mse_loss(c[:, None].expand(-1, 5), yt.expand(c.numel(), 5),
                                    reduction="none").mean(1),
        "Huber": lambda c: F.huber_loss(c[:, None].expand(-1, 5), yt.expand(c.numel(), 5),
                                        reduction="none", delta=delta).mean(1),
    }
    curves = explorers._regression_curves(cs, y, delta)
    for name, loss_fn in torch_losses.items():
        loss = loss_fn(c)
        (grad,) = torch.autograd.grad(loss.sum(), c)
        np.testing.assert_allclose(curves[name][0], loss.detach().numpy(), rtol=1e-12,
                                   err_msg=name)
        np.testing.assert_allclose(curves[name][1], grad.numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=name)
    # Huber's minimiser: a brute-force argmin of torch's huber_loss on a fine grid
    fine = torch.linspace(min(y), max(y), 200001, dtype=torch.float64)
    brute = fine[torch_losses["Huber"](fine).argmin()].item()
    best = explorers._regression_minimisers(y, delta)
    step = (max(y) - min(y)) / 200000
    assert abs(best["Huber"] - brute) <= step + 1e-9, (best["Huber"], brute)
    assert best["MAE"] == pytest.approx(torch.median(yt).item())
    assert best["MSE"] == pytest.approx(yt.mean().item())


def test_01_defaults_show_the_compromise_and_a_wide_delta_reaches_the_mean():
    ex = explorers.regression_losses(show=False)
    assert ex.values()["delta"] == 3.0 and ex.values()["outlier"] == 20.0
    y = np.array([1.0, 2.0, 3.0, 4.0, 20.0])
    assert explorers._huber_minimiser(y, 3.0) == pytest.approx(3.25)
    assert ex.controls["delta"].max >= 20  # wide enough that Huber becomes MSE
    y = np.array([1.0, 2.0, 3.0, 4.0, 40.0])
    assert explorers._huber_minimiser(y, ex.controls["delta"].max) == pytest.approx(y.mean())


@pytest.mark.parametrize("fed", explorers._NLL_FEEDS)
@pytest.mark.parametrize("y", [0, 1, 2])
@pytest.mark.parametrize("z", [[1.0, 2.0, 3.0], [6.0, 6.0, -6.0], [-6.0, 0.5, 6.0]])
def test_02_gradient_reaching_the_logits_matches_autograd(z, y, fed):
    row, loss, dz = explorers._nll_logit_grad(np.array([z]), y, fed)
    zt = _t([z], grad=True)
    feed = {"log_softmax(z)": lambda z: F.log_softmax(z, dim=1),
            "softmax(z)": lambda z: F.softmax(z, dim=1), "raw z": lambda z: z}[fed]
    fed_t = feed(zt)
    loss_t = F.nll_loss(fed_t, torch.tensor([y]))
    (grad,) = torch.autograd.grad(loss_t, zt)
    np.testing.assert_allclose(row, fed_t.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(dz, grad.numpy(), rtol=1e-10, atol=1e-15)


def test_02_the_input_axis_holds_every_bar():
    """log_softmax reaches -12.69 within the sliders: the fixed limits must hold it."""
    row, _, _ = explorers._nll_logit_grad(np.array([[6.0, 6.0, -6.0]]), 2, "log_softmax(z)")
    ex = explorers.nll_picks(show=False)
    ex.set(z1=6.0, z2=6.0, z3=-6.0, y=2)
    lo, _ = ex.axes[0].get_ylim()
    assert lo < row.min() < -12.6


@pytest.mark.parametrize("T", [0.1, 0.5, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("y", [0, 2])
def test_03_softmax_ce_and_gradient_match_autograd(y, T):
    z = np.array([1.0, -2.0, 3.5])
    p, loss, grad = explorers._softmax_ce(z, y, T)
    zt = _t([z], grad=True)
    loss_t = F.cross_entropy(zt / T, torch.tensor([y]))
    (grad_t,) = torch.autograd.grad(loss_t, zt)
    np.testing.assert_allclose(p, F.softmax(zt / T, dim=1)[0].detach().numpy(), rtol=1e-12)
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(grad, grad_t[0].numpy(), rtol=1e-10, atol=1e-15)
    assert grad.sum() == pytest.approx(0.0, abs=1e-12)


# the two sigmoids differ by up to 3 ulps; where p (1 - p) meets BCE's 1e-12 floor (float64,
# |z| > 27.6) or rounds (float32) that shows in the gradient, still far below a wrong formula
@pytest.mark.parametrize(("dtype", "tdtype", "loss_rtol", "grad_atol"),
                         [(np.float64, torch.float64, 1e-14, 1e-8),
                          (np.float32, torch.float32, 1e-6, 1e-6)])
@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_04_bce_curves_match_torch_in_each_dtype(dtype, tdtype, loss_rtol, grad_atol, y):
    zs = np.linspace(-40.0, 40.0, 161)  # through float32's saturation at 16.6
    loss, grad = explorers._bce_curves(zs, y, dtype)
    assert loss.dtype == dtype and grad.dtype == dtype
    zt = _t(zs, tdtype, grad=True)
    loss_t = torch.nn.BCELoss(reduction="none")(torch.sigmoid(zt), torch.full_like(zt, y))
    (grad_t,) = torch.autograd.grad(loss_t.sum(), zt)
    np.testing.assert_allclose(loss, loss_t.detach().numpy(), rtol=loss_rtol, atol=1e-30)
    np.testing.assert_allclose(grad, grad_t.numpy(), rtol=0, atol=grad_atol)


@pytest.mark.parametrize("r", [0.1, 1.0, 3.0, 100.0])
@pytest.mark.parametrize("y", [0.05, 0.3, 0.5, 0.9])
def test_05_optimum_is_where_autograd_gradient_vanishes(y, r):
    z_best = explorers._bce_optimum(y, r)

    def dloss(z):
        zt = _t([z], grad=True)
        loss = F.binary_cross_entropy_with_logits(zt, _t([y]), pos_weight=_t([r]))
        return torch.autograd.grad(loss, zt)[0].item()

    assert abs(dloss(z_best)) < 1e-12
    assert dloss(z_best - 0.01) < 0 < dloss(z_best + 0.01)  # a minimum, not a maximum
    assert z_best - explorers._bce_optimum(y, 1.0) == pytest.approx(np.log(r))


def test_05_optimum_at_the_ends_and_the_marker_on_the_axis():
    assert explorers._bce_optimum(1.0, 3.0) == np.inf
    assert explorers._bce_optimum(0.0, 3.0) == -np.inf
    ex = explorers.bce_with_logits(show=False)
    ex.set(r=100.0)  # loss at z = 0 is 21.3
    marker = ex.axes[0].lines[2]  # the two curves, then the marker
    assert marker.get_ydata()[0] == pytest.approx(21.28, abs=0.01)
    assert ex.axes[0].get_ylim()[1] > marker.get_ydata()[0]


@pytest.mark.parametrize(("zp", "zq"), [([1.0, 0.0, 0.0], [-1.0, 1.0, 0.0]),
                                        ([4.0, -4.0, 0.0], [-4.0, 4.0, 0.0]),
                                        ([-4.0, -4.0, 0.0], [4.0, 4.0, 0.0]),
                                        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])])
def test_06_kl_both_ways_entropy_and_ce_match_torch(zp, zq):
    p, q, bars = explorers._kl_bars(np.array([zp]), np.array([zq]))
    zpt, zqt = _t([zp]), _t([zq])
    pt, qt = F.softmax(zpt, dim=1), F.softmax(zqt, dim=1)
    log_p, log_q = F.log_softmax(zpt, dim=1), F.log_softmax(zqt, dim=1)
    want = {"KL(p ‖ q)": F.kl_div(log_q, pt, reduction="sum").item(),
            "KL(q ‖ p)": F.kl_div(log_p, qt, reduction="sum").item(),
            "CE(p, q)": F.cross_entropy(zqt, pt).item(),
            "H(p)": -(pt * log_p).sum().item()}
    assert set(bars) == set(want)
    for name, value in want.items():
        assert bars[name] == pytest.approx(value, rel=1e-10, abs=1e-14), name
    np.testing.assert_allclose(p, pt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(q, qt.numpy(), rtol=1e-12)


def test_06_the_axis_holds_the_longest_bar():
    ex = explorers.kl_divergence(show=False)
    ex.set(p1=4.0, p2=-4.0, q1=-4.0, q2=4.0)  # 7.851 nats both ways
    _, _, bars = explorers._kl_bars(np.array([[4.0, -4.0, 0.0]]), np.array([[-4.0, 4.0, 0.0]]))
    assert bars["KL(p ‖ q)"] == pytest.approx(7.851, abs=1e-3)
    assert ex.axes[1].get_xlim()[1] > max(bars.values())


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [0.05, 0.25, 1.0])
def test_07_focal_loss_and_gradient_match_autograd(gamma, alpha):
    pt = np.linspace(0.005, 0.995, 199)
    loss, grad = explorers._focal(pt, gamma, alpha)
    z = _t(np.log(pt) - np.log1p(-pt), grad=True)
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, torch.ones_like(z), reduction="none")
    loss_t = alpha * (1 - p) ** gamma * ce  # y = 1: p_t = p
    (grad_t,) = torch.autograd.grad(loss_t.sum(), z)
    np.testing.assert_allclose(loss, loss_t.detach().numpy(), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(grad, grad_t.numpy(), rtol=1e-9, atol=1e-300)


def test_07_the_gradient_axis_shows_focal_pulling_hard_examples_harder():
    pt = np.linspace(0.005, 0.995, 199)
    _, grad = explorers._focal(pt, 5.0, 1.0)
    assert grad.min() < -1.3  # below CE's -1
    ex = explorers.focal_loss(show=False)
    ex.set(gamma=5.0)
    assert ex.axes[1].get_ylim()[0] < grad.min()
    assert "100,000" in ex.axes[0].get_title()
    ex.set(gamma=0.0)
    assert ex.axes[0].get_title().endswith(": 1.00")


@pytest.mark.parametrize("name", explorers.__all__)
def test_no_control_label_is_cut_and_sliders_are_wide(name):
    ex = getattr(explorers, name)(show=False)
    for cname, control in ex.controls.items():
        assert control.style.description_width == "initial", cname
        if isinstance(control, (w.FloatSlider, w.FloatLogSlider, w.IntSlider)):
            assert control.layout.width == "380px", cname


@pytest.mark.parametrize("mu,var", [(2.0, 0.5), (-3.0, 4.0), (0.0, 0.01), (1e-4, 1e-8)])
def test_09_gaussian_nll_curves_and_gradients_match_autograd(mu, var):
    mus, variances = np.linspace(-4, 4, 9), np.logspace(-2, 2, 9)
    c = explorers._gaussian_nll_curves(mus, variances, mu, var)
    zero = torch.zeros(9, dtype=torch.float64)
    torch.testing.assert_close(torch.from_numpy(c["by_mu"]), F.gaussian_nll_loss(
        torch.from_numpy(mus), zero, torch.full((9,), var, dtype=torch.float64),
        reduction="none"))
    torch.testing.assert_close(torch.from_numpy(c["by_var"]), F.gaussian_nll_loss(
        torch.full((9,), mu, dtype=torch.float64), zero, torch.from_numpy(variances),
        reduction="none"))
    m = torch.tensor([mu], dtype=torch.float64, requires_grad=True)
    v = torch.tensor([var], dtype=torch.float64, requires_grad=True)
    loss = F.gaussian_nll_loss(m, torch.zeros(1, dtype=torch.float64), v)
    loss.backward()
    assert c["loss"] == pytest.approx(loss.item(), rel=1e-12)
    assert c["d_mu"] == pytest.approx(m.grad.item(), rel=1e-10)
    assert c["d_var"] == pytest.approx(v.grad.item(), rel=1e-10)
    grid = np.logspace(-9, 3, 200001)  # the best variance by brute force, on a fine grid
    brute = grid[np.argmin(0.5 * (np.log(np.maximum(grid, 1e-6)) + mu**2 / np.maximum(grid, 1e-6)))]
    assert c["best_var"] == pytest.approx(max(brute, 1e-6), rel=1e-3)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("z,y", [([1.0, 2.0, 3.0], 0), ([4.0, -1.0, 0.5], 0), ([0.0, 0.0, 0.0], 2)])
def test_10_hinge_and_ce_match_autograd(z, y, margin, p):
    got = explorers._hinge_and_ce(np.array(z), y, margin, p)
    for name, fn in (("hinge", lambda x: F.multi_margin_loss(x, torch.tensor([y]), p=p,
                                                              margin=margin)),
                     ("cross-entropy", lambda x: F.cross_entropy(x, torch.tensor([y])))):
        x = torch.tensor([z], dtype=torch.float64, requires_grad=True)
        loss = fn(x)
        loss.backward()
        assert got[name][0] == pytest.approx(loss.item(), rel=1e-12, abs=1e-15)
        torch.testing.assert_close(torch.from_numpy(got[name][1]), x.grad[0])


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("margin", [0.1, 1.0, 2.0])
@pytest.mark.parametrize("d_ap,d_an,angle", [(1.0, 1.5, 60.0), (0.5, 3.0, 90.0),
                                             (2.0, 0.8, 10.0), (1.0, 1.2, 180.0),
                                             (3.0, 0.0, 45.0), (1.0, 2.0, 60.0),
                                             (1.0, 0.05, 0.0)])
def test_11_triplet_geometry_matches_autograd(d_ap, d_an, angle, margin, swap):
    sweep = np.linspace(0.0, 4.0, 9)
    t = explorers._triplet_geometry(d_ap, d_an, angle, margin, swap, sweep)
    pts = [torch.tensor(t["points"][k:k + 1], requires_grad=True) for k in range(3)]
    loss = F.triplet_margin_loss(*pts, margin=margin, swap=swap)
    loss.backward()
    assert t["loss"] == pytest.approx(loss.item(), rel=1e-12, abs=1e-15)
    for k in range(3):
        torch.testing.assert_close(torch.from_numpy(t["grads"][k]), pts[k].grad[0])
    direction = torch.tensor(t["points"][2]) / max(d_an, 1e-300)
    if d_an == 0:
        direction = torch.tensor([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
    many = (torch.zeros(9, 2, dtype=torch.float64),
            torch.tensor(t["points"][1]).expand(9, 2),
            torch.from_numpy(sweep)[:, None] * direction)
    torch.testing.assert_close(torch.from_numpy(t["curve"]), F.triplet_margin_loss(
        *many, margin=margin, swap=swap, reduction="none"))
    assert t["kind"] == ("easy" if t["loss"] == 0 else t["kind"])
    if not swap:
        expected = ("easy" if d_an > d_ap + margin + 1e-3
                    else "semi-hard" if d_an > d_ap else "hard")
        assert t["kind"] == expected


@pytest.mark.parametrize("v", [1_000, 16_000])
@pytest.mark.parametrize("chunk", [1, 7, 32, 256])
def test_13_chunked_peak_matches_torch_and_stays_within_a_few_chunks(v, chunk):
    got = explorers._chunked_peak(v, chunk)
    rng = np.random.default_rng(13)  # the explorer's problem, rebuilt
    x = rng.normal(size=(explorers._CHUNK_N, 16)).astype(np.float32)
    weight = (rng.normal(size=(v, 16)) / np.sqrt(16)).astype(np.float32)
    target = rng.integers(0, v, size=explorers._CHUNK_N)
    want = F.linear_cross_entropy(torch.from_numpy(x), torch.from_numpy(weight),
                                  torch.from_numpy(target))
    assert got["loss"] == pytest.approx(want.item(), rel=1e-5)
    assert got["passes"] == -(-explorers._CHUNK_N // chunk)
    assert got["full"] == explorers._CHUNK_N * v * 4
    outputs = 2 * (x.nbytes + 2 * weight.nbytes)  # d_input, d_weight and its chunk scratch
    assert got["peak"] <= 4 * min(chunk, explorers._CHUNK_N) * v * 4 + outputs
    assert got["peak"] >= min(chunk, explorers._CHUNK_N) * v * 4  # one chunk's logits at least


def test_13_peak_grows_with_the_chunk_and_is_deterministic():
    peaks = [explorers._chunked_peak(4_000, c)["peak"] for c in (1, 16, 64, 256)]
    assert peaks == sorted(peaks) and peaks[-1] > 10 * peaks[0]
    explorers._CHUNK_CACHE.clear()
    # allocation sizes: the same again, up to a few Python objects of first-call set-up
    assert abs(explorers._chunked_peak(4_000, 16)["peak"] - peaks[1]) <= 4096


@pytest.mark.parametrize("target", ["ab", "ba", "aa", "a"])
@pytest.mark.parametrize("centre_a,centre_b,blank", [(2.0, 5.0, 1.0), (6.0, 1.0, -2.0),
                                                     (3.5, 3.5, 6.0), (0.0, 7.0, 0.0)])
def test_12_ctc_loss_and_posterior_match_autograd(target, centre_a, centre_b, blank):
    labels = explorers._CTC_TARGETS[target]
    probs, loss, gamma = explorers._ctc_tiny(centre_a, centre_b, blank, labels)
    x = torch.tensor(np.log(probs), requires_grad=True)
    loss_t = F.ctc_loss(x, torch.tensor(labels), torch.tensor(len(probs)),
                        torch.tensor(len(labels)), reduction="sum")
    (grad_t,) = torch.autograd.grad(loss_t, x)  # torch's convention: exp(x) - gamma
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(gamma, probs - grad_t.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, rtol=1e-12)  # a distribution per frame
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)


# 13: the printed peaks sit far from a rounding edge. tracemalloc's peak is the NumPy arrays
# (the same everywhere) plus a few KB of Python objects and the kernel's threads that vary
# with the run and the Python version, so each printed peak must keep a margin of at least
# 20 KB (or 1 % of the rounding step) to the nearest edge, or nbval fails on another machine.
_13_NOTEBOOK_LINES = ("Nm, Hm, Vm = 512, 48, 10_000", "chunks = [64, 128, 256, 512]",
                      "def look_then_loss(chunk=64):", "def look_in_chunks(chunk=64):")


def _13_peak_bytes(fn):
    """Notebook 13's peak_bytes: the most NumPy memory alive at once during fn()."""
    import gc
    import tracemalloc

    was_tracing = tracemalloc.is_tracing()
    gc.disable()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        if not was_tracing:
            tracemalloc.stop()
        gc.enable()


def _13_margin(value, step):
    """The distance of value from the nearest rounding edge (k + 1/2) * step."""
    f = value / step
    return abs(f - (np.floor(f) + 0.5)) * step


def _13_assert_far(label, value, step):
    need = max(20_000, 0.01 * step)
    got = _13_margin(value, step)
    assert got >= need, (f"{label}: {value:,} B is {got:,.0f} B from a rounding edge of its "
                         f"printed step {step:,.0f} B (need {need:,.0f}): change the sizes "
                         "or print fewer digits")


def test_13_printed_peaks_are_far_from_a_rounding_edge():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "notebooks/13_cross_entropy_at_scale.ipynb"
    source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
    for line in _13_NOTEBOOK_LINES:  # the problem below is the notebook's
        assert line in source, f"notebook 13 changed ({line!r}): update this test"

    rng = np.random.default_rng(13)  # cell 17's problem, rebuilt
    n, h, v = 512, 48, 10_000
    x = rng.normal(size=(n, h)).astype(np.float32)
    weight = (rng.normal(size=(v, h)) / np.sqrt(h)).astype(np.float32)
    bias = np.zeros(v, dtype=np.float32)
    target = rng.integers(0, v, size=n)
    full, mib = n * v * 4, 2**20

    def grad(chunk):
        return helpers.linear_cross_entropy_grad(x, weight, target, linear_bias=bias,
                                                 chunk_size=chunk)

    def unchunked():
        g = helpers.cross_entropy_grad(x @ weight.T + bias, target)
        return g @ weight, g.T @ x, g.sum(axis=0)

    def look_then_loss(chunk=64):  # cell 41
        logits = x @ weight.T + bias
        return (logits.argmax(axis=1) == target).mean(), grad(chunk)

    def look_in_chunks(chunk=64):
        hits = 0
        for start in range(0, n, chunk):
            z = x[start:start + chunk] @ weight.T + bias
            hits += (z.argmax(axis=1) == target[start:start + chunk]).sum()
        del z
        return hits / n, grad(chunk)

    for chunk in (64, 128, 256, 512):  # cell 17's table: MiB to 1, / full logits to 0.01
        peak = _13_peak_bytes(lambda c=chunk: grad(c))
        _13_assert_far(f"chunk {chunk}, MiB", peak, mib)
        _13_assert_far(f"chunk {chunk}, x full logits", peak, 0.01 * full)
    peak = _13_peak_bytes(unchunked)
    _13_assert_far("unchunked, MiB", peak, mib)
    _13_assert_far("unchunked, x full logits", peak, 0.01 * full)
    for label, fn in (("cell 41, materialised", look_then_loss),
                      ("cell 41, chunk by chunk", look_in_chunks)):
        _13_assert_far(label, _13_peak_bytes(fn), 0.01 * full)

    # the explorer's default title, to 0.1 of the full logits: measured first (with the first
    # call's set-up) and after the other chunk sizes, as its drawing does
    explorer = explorers.chunked_cross_entropy(show=False)
    chunk, v_e = explorer.controls["chunk"].value, explorer.controls["v"].value
    assert (chunk, v_e) == (16, 1_000), "the explorer's default changed: check its title"
    for before in ((), explorers._CHUNK_SIZES):
        explorers._CHUNK_CACHE.clear()
        for c in before:
            explorers._chunked_peak(v_e, c)
        explorers._CHUNK_CACHE.pop((v_e, chunk, explorers._CHUNK_N, explorers._CHUNK_H), None)
        r = explorers._chunked_peak(v_e, chunk)
        _13_assert_far(f"explorer V = {v_e}, chunk {chunk}", r["peak"], 0.1 * r["full"])
        assert f"peak {r['peak'] / r['full']:.1f} ×" in explorer.axes[0].get_title()
