"""The CTC loss (helpers/sequence.py) against torch.nn.functional.ctc_loss.

Value and gradient against torch and autograd (float64, property-based over T, N, C, S,
ragged lengths, repeated labels, targets too long for the input, both target layouts,
unbatched input, blank, reductions, zero_infinity); a brute-force sum over every alignment
on tiny cases as an oracle independent of torch (value and posterior); torch's gradient
convention (exp(x) - posterior) against finite differences of torch's own value and
through log_softmax; a label equal to blank (refused); a +inf log-prob (NaN); float32
(random and extreme); bad input.
"""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import check_against_torch, frozen
from hypothesis import given
from hypothesis import strategies as st

import helpers

REDUCTIONS = st.sampled_from(["none", "mean", "sum"])


def log_probs(seed, shape, scale=2.0, dtype=torch.float64):
    """Seeded log_softmax(logits) along C, made by torch (not by the code under test)."""
    g = torch.Generator().manual_seed(seed)
    z = scale * torch.randn(shape, generator=g, dtype=torch.float64)
    return F.log_softmax(z, dim=-1).to(dtype).numpy()


@st.composite
def ctc_problem(draw, max_t=8):
    """log_probs, targets and lengths in every layout torch accepts, and the options.

    Labels avoid the blank (see test_label_equal_to_blank_raises); few classes make repeated
    labels (which need a blank between them) common, and independent lengths make targets
    too long for their input (an infinite loss) common too.
    """
    t = draw(st.integers(1, max_t))
    c = draw(st.integers(2, 5))
    blank = draw(st.integers(0, c - 1))
    layout = draw(st.sampled_from(["padded", "concatenated", "unbatched", "unbatched (1, S)"]))
    n = 1 if layout.startswith("unbatched") else draw(st.integers(1, 4))
    tg_len = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    in_len = np.array(draw(st.lists(st.integers(0, t), min_size=n, max_size=n)))
    s = int(tg_len.max()) + draw(st.integers(0, 2))  # padded width S >= max length
    labels = np.array(draw(st.lists(st.integers(1, c - 1), min_size=n * s, max_size=n * s)))
    labels = ((blank + labels) % c).reshape(n, s).astype(np.int64)  # never the blank
    pad = draw(st.sampled_from([0, -1, blank]))  # padding past each length is ignored
    padded = np.where(np.arange(s) < tg_len[:, None], labels, pad)
    lp = log_probs(draw(st.integers(0, 2**31)), (t, n, c), scale=draw(st.sampled_from([0.5, 3])))
    if layout == "padded":
        targets = padded
    elif layout == "concatenated":
        targets = np.concatenate([labels[i, : tg_len[i]] for i in range(n)])
    elif layout == "unbatched":  # (T, C), targets (U,), 0-d or (1,) lengths
        lp, targets = lp[:, 0], labels[0, : tg_len[0]]
    else:
        lp, targets = lp[:, 0], padded
    if layout.startswith("unbatched") and draw(st.booleans()):
        in_len, tg_len = in_len.reshape(()), tg_len.reshape(())
    kw = {"input_lengths": in_len, "target_lengths": tg_len, "blank": blank,
          "reduction": draw(REDUCTIONS), "zero_infinity": draw(st.booleans())}
    return lp, targets, kw


@given(ctc_problem())
def test_ctc_against_torch(problem):
    lp, targets, kw = problem
    check_against_torch("ctc_loss", lp, targets, **kw)


# ---------------------------------------------------------------- an independent oracle


def collapse(path, blank):
    """Merge repeats, then drop blanks: the CTC many-to-one map."""
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return tuple(k for k in merged if k != blank)


def brute_force(lp, labels, blank):
    """Sum over all C^T alignments: -log p(labels) and the posterior gamma (T, C)."""
    t, c = lp.shape
    p, gamma = 0.0, np.zeros((t, c))
    for path in itertools.product(range(c), repeat=t):
        if collapse(path, blank) == tuple(labels):
            prob = np.exp(sum(lp[i, k] for i, k in enumerate(path)))
            p += prob
            gamma[np.arange(t), path] += prob
    return -np.log(p) if p > 0 else np.inf, gamma / p if p > 0 else gamma


@given(t=st.integers(1, 5), c=st.integers(2, 3), u=st.integers(0, 4),
       seed=st.integers(0, 2**31), data=st.data())
def test_ctc_brute_force(t, c, u, seed, data):
    """Value and literal derivative (-gamma) against an enumeration of every alignment."""
    blank = data.draw(st.integers(0, c - 1))
    labels = [(blank + k) % c for k in data.draw(st.lists(st.integers(1, c - 1),
                                                          min_size=u, max_size=u))]
    lp = log_probs(seed, (t, c))
    nll, gamma = brute_force(lp, labels, blank)
    args = (lp, np.array(labels, dtype=np.int64), t, u)
    value = helpers.ctc_loss(*args, blank=blank, reduction="sum")
    np.testing.assert_allclose(value, nll, rtol=1e-12)
    if np.isfinite(nll):
        grad = helpers.ctc_loss_grad(*args, blank=blank, reduction="sum")
        np.testing.assert_allclose(grad - np.exp(lp), -gamma, atol=1e-12)
        np.testing.assert_allclose(gamma.sum(axis=1), 1)  # one symbol per step


def test_ctc_by_hand():
    """T = 2, labels (1,): alignments 1-1, b-1, 1-b; with y = 1/2 everywhere, p = 3/4."""
    lp = np.log(np.full((2, 2), 0.5))
    np.testing.assert_allclose(helpers.ctc_loss(lp, np.array([1]), 2, 1), -np.log(0.75))
    # repeated labels (1, 1) need the blank between: T = 2 is too short, T = 3 has 1-b-1
    assert helpers.ctc_loss(lp, np.array([1, 1]), 2, 2, reduction="sum") == np.inf
    lp3 = np.log(np.full((3, 2), 0.5))
    np.testing.assert_allclose(helpers.ctc_loss(lp3, np.array([1, 1]), 3, 2, reduction="sum"),
                               3 * np.log(2))


# ---------------------------------------------------------------- torch's conventions


def torch_fd(lp, targets, in_len, tg_len, h=1e-6, **kw):
    """Central finite differences of torch's own summed value with respect to log_probs."""
    def f(x):
        return F.ctc_loss(torch.from_numpy(x), torch.from_numpy(targets), torch.tensor(in_len),
                          torch.tensor(tg_len), reduction="sum", **kw).item()
    g = np.zeros_like(lp)
    for idx in np.ndindex(lp.shape):
        e = np.zeros_like(lp)
        e[idx] = h
        g[idx] = (f(lp + e) - f(lp - e)) / (2 * h)
    return g


@pytest.mark.parametrize("normalised", [True, False])
def test_gradient_is_the_literal_derivative_plus_exp(normalised):
    """torch's gradient = d(loss)/d(log_probs) + exp(log_probs) on live steps, whether or
    not the rows are normalised; only for log_softmax outputs does the sum of it vanish."""
    lp = log_probs(3, (6, 2, 4))
    if not normalised:
        lp = lp + np.array([0.5, -1.0])[None, :, None]
    targets, in_len, tg_len = np.array([[1, 1, 3], [2, 2, 0]]), [6, 5], [3, 2]
    literal = torch_fd(lp, targets, in_len, tg_len)
    live = (np.arange(6)[:, None] < np.array(in_len))[:, :, None]
    g = helpers.ctc_loss_grad(lp, targets, in_len, tg_len, reduction="sum")
    np.testing.assert_allclose(g, literal + np.where(live, np.exp(lp), 0), atol=1e-7)
    check_against_torch("ctc_loss", lp, targets, input_lengths=np.array(in_len),
                        target_lengths=np.array(tg_len), reduction="sum")
    if not normalised:  # the returned "gradient" is then not the derivative of the loss
        assert np.abs(g - literal).max() > 0.1


@given(REDUCTIONS, st.integers(0, 2**31))
def test_gradient_through_log_softmax(reduction, seed):
    """Chained through log_softmax, torch's convention is the gradient w.r.t. the logits."""
    z = torch.randn((5, 3, 4), generator=torch.Generator().manual_seed(seed),
                    dtype=torch.float64, requires_grad=True)
    targets, in_len, tg_len = np.array([[1, 2], [3, 3], [1, 0]]), [5, 4, 3], [2, 2, 1]
    F.ctc_loss(F.log_softmax(z, dim=-1), torch.from_numpy(targets), torch.tensor(in_len),
               torch.tensor(tg_len), reduction=reduction).sum().backward()
    lp = F.log_softmax(z, dim=-1).detach().numpy()
    g = helpers.ctc_loss_grad(lp, targets, in_len, tg_len, reduction=reduction)
    np.testing.assert_allclose(g, z.grad.numpy(), atol=1e-12)


def test_mean_divides_by_target_length_clamped_at_one():
    lp = log_probs(5, (6, 3, 4))
    targets, in_len, tg_len = np.array([[1, 2, 3], [2, 0, 0], [0, 0, 0]]), [6, 6, 4], [3, 1, 0]
    per = F.ctc_loss(torch.from_numpy(lp), torch.from_numpy(targets), torch.tensor(in_len),
                     torch.tensor(tg_len), reduction="none").numpy()
    np.testing.assert_allclose(helpers.ctc_loss(lp, targets, in_len, tg_len, reduction="none"),
                               per)
    np.testing.assert_allclose(helpers.ctc_loss(lp, targets, in_len, tg_len),
                               np.mean(per / np.array([3, 1, 1])))


def test_impossible_alignment_and_zero_infinity():
    """Labels (1, 1, 2) need 4 steps: with 3 the loss is inf and the gradient NaN on the
    live steps (as torch); zero_infinity makes both 0 for that example only."""
    lp = log_probs(7, (5, 2, 3))
    targets, in_len, tg_len = np.array([[1, 1, 2], [2, 1, 0]]), np.array([3, 5]), np.array([3, 2])
    loss = helpers.ctc_loss(lp, targets, in_len, tg_len, reduction="none")
    assert loss[0] == np.inf and np.isfinite(loss[1])
    g = helpers.ctc_loss_grad(lp, targets, in_len, tg_len, reduction="none")
    assert np.isnan(g[:3, 0]).all() and not g[3:, 0].any() and np.isfinite(g[:, 1]).all()
    kw = {"input_lengths": in_len, "target_lengths": tg_len}
    for reduction in ["none", "mean", "sum"]:
        for zi in [False, True]:
            check_against_torch("ctc_loss", lp, targets, reduction=reduction, zero_infinity=zi,
                                **kw)
    gz = helpers.ctc_loss_grad(lp, targets, in_len, tg_len, reduction="none", zero_infinity=True)
    assert not gz[:, 0].any() and np.array_equal(gz[:, 1], g[:, 1])


def test_layouts_agree():
    """Padded, concatenated and one-example-at-a-time unbatched calls: the same losses."""
    lp = log_probs(11, (7, 3, 5))
    padded = np.array([[1, 1, 2, 9], [3, 9, 9, 9], [4, 2, 4, 4]])
    tg_len, in_len = np.array([3, 1, 4]), np.array([7, 2, 6])
    concat = np.array([1, 1, 2, 3, 4, 2, 4, 4])
    a = helpers.ctc_loss(lp, padded, in_len, tg_len, reduction="none")
    b = helpers.ctc_loss(lp, concat, in_len, tg_len, reduction="none")
    c = [helpers.ctc_loss(lp[:, i], padded[i, : tg_len[i]], in_len[i], tg_len[i],
                          reduction="none") for i in range(3)]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, c, rtol=1e-14)


BLANK_LABELS = [  # (id, targets, target_lengths, blank): a label equal to blank, within length
    ("padded, in the middle", np.array([[1, 0, 2], [2, 1, 1]]), [3, 2], 0),
    ("padded, last label", np.array([[2, 0], [1, 2]]), [2, 2], 0),
    ("padded, other blank", np.array([[1, 2], [2, 1]]), [1, 2], 2),
    ("concatenated", np.array([1, 2, 0]), [1, 2], 0),
]


@pytest.mark.parametrize("targets, tg_len, blank", [c[1:] for c in BLANK_LABELS],
                         ids=[c[0] for c in BLANK_LABELS])
@pytest.mark.parametrize("name", ["ctc_loss", "ctc_loss_grad"])
def test_label_equal_to_blank_raises(name, targets, tg_len, blank):
    """torch accepts a label equal to blank silently and returns a number (no alignment
    collapses to a sequence holding the blank, so it means nothing); the twin refuses."""
    lp = log_probs(13, (5, 2, 3))
    in_len = [5, 5]
    with pytest.raises(ValueError, match=rf"label equal to blank \({blank}\) in target"):
        getattr(helpers, name)(lp, targets, in_len, tg_len, blank=blank)
    value = F.ctc_loss(torch.from_numpy(lp), torch.from_numpy(targets), torch.tensor(in_len),
                       torch.tensor(tg_len), blank=blank, reduction="none")
    assert torch.isfinite(value).all()  # torch: no error, a finite number


def test_blank_as_padding_past_the_target_length_is_fine():
    """Only labels within each target's length are checked: blank padding is ignored."""
    lp = log_probs(13, (5, 2, 3))
    check_against_torch("ctc_loss", lp, np.array([[1, 0, 0], [2, 1, 0]]),
                        input_lengths=np.array([5, 5]), target_lengths=np.array([1, 2]),
                        reduction="sum")


# ---------------------------------------------------------------- float32


@given(ctc_problem())
def test_ctc_float32_against_torch(problem):
    lp, targets, kw = problem
    check_against_torch("ctc_loss", lp.astype(np.float32), targets, **kw)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e3])
def test_long_sequences_float32(scale):
    """T = 300 steps, peaked log-probabilities: the log-space recursions do not underflow;
    finite where torch is, and close to it."""
    lp = log_probs(17, (300, 2, 6), scale=scale, dtype=torch.float32)
    targets, in_len, tg_len = np.tile(np.arange(1, 6), (2, 8)), np.array([300, 250]), [40, 33]
    value = helpers.ctc_loss(lp, targets, in_len, np.array(tg_len), reduction="none")
    grad = helpers.ctc_loss_grad(lp, targets, in_len, np.array(tg_len), reduction="none")
    ref = F.ctc_loss(torch.from_numpy(lp), torch.from_numpy(targets), torch.from_numpy(in_len),
                     torch.tensor(tg_len), reduction="none")
    assert np.array_equal(np.isfinite(value), torch.isfinite(ref).numpy())
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    torch.testing.assert_close(torch.from_numpy(value), ref, rtol=1e-4, atol=1e-3)
    # the loss reaches 1e5 at scale 1e3: no float32 code agrees to 1e-5 there, so each is
    # judged against float64, and ours must be about as close to it as torch's float32
    x = torch.from_numpy(lp).requires_grad_(True)
    F.ctc_loss(x, torch.from_numpy(targets), torch.from_numpy(in_len), torch.tensor(tg_len),
               reduction="mean").backward()
    x64 = torch.from_numpy(lp.astype(np.float64)).requires_grad_(True)
    F.ctc_loss(x64, torch.from_numpy(targets), torch.from_numpy(in_len), torch.tensor(tg_len),
               reduction="mean").backward()
    exact = x64.grad.numpy()
    mine = helpers.ctc_loss_grad(lp, targets, in_len, np.array(tg_len))
    torch_err = np.abs(x.grad.numpy() - exact).max()
    assert np.abs(mine - exact).max() <= 1.5 * torch_err + 1e-7
    if scale < 100:
        check_against_torch("ctc_loss", lp, targets, input_lengths=in_len,
                            target_lengths=np.array(tg_len), reduction="mean")


def test_positive_infinite_log_prob_gives_nan_as_torch():
    """+inf is no log-probability; torch's loss and gradient are NaN, the twin's too (not
    -inf), without a warning. A +inf on a symbol outside l' leaves the loss finite."""
    lp = np.full((4, 1, 3), np.log(1 / 3))
    lp[:, :, 1] = np.inf
    check_against_torch("ctc_loss", lp, np.array([[1]]), input_lengths=np.array([4]),
                        target_lengths=np.array([1]), reduction="sum")
    lp = np.full((4, 1, 3), np.log(1 / 3))
    lp[1, :, 2] = np.inf  # symbol 2 is neither the blank nor the label
    check_against_torch("ctc_loss", lp, np.array([[1]]), input_lengths=np.array([4]),
                        target_lengths=np.array([1]), reduction="sum")


def test_float32_huge_losses_do_not_overflow_the_posterior():
    """float32, per-example losses near 5e8: log alpha + log beta - x + nll is rounded far
    above 0, so exp() of it overflowed (a RuntimeWarning, inf and NaN in the gradient); the
    exponent is clipped at 1 (an occupancy is at most e, not 1) and the gradient stays
    finite and bounded (torch's reaches 7e14 here: it rounds alike, without the clip)."""
    lp = log_probs(5, (300, 2, 6), scale=1e6, dtype=torch.float32)
    targets = np.tile(np.arange(1, 6), (2, 4))
    in_len, tg_len = np.array([300, 300]), np.array([20, 5])
    value = helpers.ctc_loss(lp, targets, in_len, tg_len, reduction="none")
    assert np.isfinite(value).all() and value.min() > 1e7
    grad = helpers.ctc_loss_grad(lp, targets, in_len, tg_len, reduction="sum")
    assert grad.dtype == np.float32 and np.isfinite(grad).all()
    # exp(x) - gamma: exp(x) <= 1 and gamma a sum of at most 21 occupancies, each <= e
    assert np.abs(grad).max() <= 1 + 21 * np.e


# ---------------------------------------------------------------- bad input

LP = log_probs(0, (5, 2, 4))
TG, IL, TL = np.array([[1, 2, 2], [3, 1, 0]]), np.array([5, 4]), np.array([3, 2])

# (id, arguments, keyword arguments, what the message must say)
BAD = [
    ("blank too large", (LP, TG, IL, TL), {"blank": 4}, "blank"),
    ("blank negative", (LP, TG, IL, TL), {"blank": -1}, "blank"),
    ("input length longer than T", (LP, TG, np.array([6, 4]), TL), {}, "input_lengths"),
    ("target length longer than S", (LP, TG, IL, np.array([4, 2])), {}, "targets"),
    ("negative input length", (LP, TG, np.array([-1, 4]), TL), {}, "non-negative"),
    ("negative target length", (LP, TG, IL, np.array([-1, 2])), {}, "non-negative"),
    ("too many input lengths", (LP, TG, np.array([5, 4, 3]), TL), {}, "one length per"),
    ("too few target lengths", (LP, TG, IL, np.array([3])), {}, "one length per"),
    ("float lengths", (LP, TG, np.array([5.0, 4.0]), TL), {}, "integral"),
    ("concatenated too long", (LP, np.array([1, 2, 2, 3, 1, 1]), IL, TL), {}, "sum"),
    ("concatenated too short", (LP, np.array([1, 2, 2, 3]), IL, TL), {}, "sum"),
    ("padded targets, wrong N", (LP, TG[:1], IL, TL), {}, "N = 2"),
    ("targets 3-d", (LP, TG[None], IL, TL), {}, "targets"),
    ("targets 0-d", (LP[:, 0], np.array(1), np.array(5), np.array(1)), {}, "targets"),
    ("log_probs 1-d", (LP[:, 0, 0], TG, IL, TL), {}, "shape"),
    ("log_probs 4-d", (LP[None], TG, IL, TL), {}, "shape"),
    ("T = 0", (LP[:0], TG, np.array([0, 0]), TL), {}, "empty"),
    ("N = 0", (LP[:, :0], TG[:0], np.zeros(0, int), np.zeros(0, int)), {}, "empty"),
    ("float16", (LP.astype(np.float16), TG, IL, TL), {}, "float16"),
    ("bad reduction", (LP, TG, IL, TL), {"reduction": "foo"}, "reduction"),
]


@pytest.mark.parametrize("args, kw, says", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
@pytest.mark.parametrize("name", ["ctc_loss", "ctc_loss_grad"])
def test_bad_input(name, args, kw, says):
    with pytest.raises(ValueError, match=says):
        getattr(helpers, name)(*args, **kw)
    t_args = [torch.from_numpy(np.asarray(a)) for a in args]
    with pytest.raises((RuntimeError, ValueError, NotImplementedError)):
        F.ctc_loss(*t_args, **kw)


def test_out_of_range_label_raises_where_torch_reads_past_the_end():
    """torch computes *something* for label C (or -1); the twin refuses."""
    for bad in [4, -1]:
        targets = np.array([[1, bad, 2], [3, 1, 0]])
        with pytest.raises(ValueError, match="out of range"):
            helpers.ctc_loss(LP, targets, IL, TL)
    # past the target length anything goes, as in torch
    check_against_torch("ctc_loss", LP, np.array([[1, 2, -7], [3, 99, 0]]),
                        input_lengths=IL, target_lengths=np.array([2, 1]))


def test_inputs_unchanged():
    lp, targets, il, tl = frozen(LP, TG, IL, TL)
    helpers.ctc_loss(lp, targets, il, tl)
    helpers.ctc_loss_grad(lp, targets, il, tl, zero_infinity=True)
    np.testing.assert_array_equal(lp, LP)
