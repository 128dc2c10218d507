"""Shared kernels of the course on PyTorch's loss functions.

NumPy twins of ``torch.nn.functional`` (same names, arguments and shapes), each loss with
a hand-derived ``_grad`` twin; one compare helper; one plot helper; one explorer helper
(``explore``) and the notebooks' explorers (``helpers.explorers``). NumPy only: torch is
what these are checked against, never what they use.

The losses live in one module per family of the course map (``regression``,
``classification``, ``divergence``, ``margin``, ``embedding``, ``sequence``, ``scale``),
on the stable ``kernels``; the argument checks they share are in ``_checks``. Every loss
``name(input, target, ...)`` has a twin ``name_grad(input, target, ...)`` right under it,
with the same signature, that returns the gradient of the loss with respect to the model's
output (same shape and dtype), or a tuple of gradients in signature order where the loss
takes several model outputs (``gaussian_nll_loss_grad`` returns ``(d_input, d_var)``,
``triplet_margin_loss_grad`` ``(d_anchor, d_positive, d_negative)``,
``linear_cross_entropy_grad`` ``(d_input, d_linear_weight, d_linear_bias)``). With
``reduction='none'`` it is the gradient of the *sum* of the elementwise losses. The
gradients are derived by hand, and ``tests/`` checks each one against autograd. Shape
letters as in every notebook: N examples, C classes, d1, d2, ... extra dimensions. Bad
input raises ``ValueError`` naming the problem; inputs are never modified.
"""

from . import explorers
from .classification import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    nll_loss,
    nll_loss_grad,
)
from .compare import compare, tolerances, verdict
from .divergence import kl_div, kl_div_grad

# embedding (notebook 11)
from .embedding import (
    cosine_embedding_loss,
    cosine_embedding_loss_grad,
    margin_ranking_loss,
    margin_ranking_loss_grad,
    triplet_margin_loss,
    triplet_margin_loss_grad,
    triplet_margin_with_distance_loss,
    triplet_margin_with_distance_loss_grad,
)
from .interactive import explore
from .kernels import log_softmax, logsigmoid, logsumexp, sigmoid, softmax, softplus
from .margin import (
    hinge_embedding_loss,
    hinge_embedding_loss_grad,
    multi_margin_loss,
    multi_margin_loss_grad,
    multilabel_margin_loss,
    multilabel_margin_loss_grad,
    multilabel_soft_margin_loss,
    multilabel_soft_margin_loss_grad,
    soft_margin_loss,
    soft_margin_loss_grad,
)
from .plot import (
    COURSE_STYLE,
    FIGURES,
    figures_dir,
    plot_loss_and_grad,
    save_figure,
    use_course_style,
)
from .regression import (
    gaussian_nll_loss,
    gaussian_nll_loss_grad,
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    poisson_nll_loss,
    poisson_nll_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
)

# cross-entropy at scale (notebook 13)
from .scale import LOGITS_BUDGET, linear_cross_entropy, linear_cross_entropy_grad

# sequence (notebook 12)
from .sequence import ctc_loss, ctc_loss_grad

__all__ = [
    # kernels
    "logsumexp", "softmax", "log_softmax", "sigmoid", "logsigmoid", "softplus",
    # regression losses and their gradients
    "l1_loss", "l1_loss_grad", "mse_loss", "mse_loss_grad",
    "huber_loss", "huber_loss_grad", "smooth_l1_loss", "smooth_l1_loss_grad",
    # probabilistic regression: negative log-likelihoods
    "gaussian_nll_loss", "gaussian_nll_loss_grad", "poisson_nll_loss", "poisson_nll_loss_grad",
    # classification losses and their gradients
    "nll_loss", "nll_loss_grad", "cross_entropy", "cross_entropy_grad",
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "kl_div", "kl_div_grad",
    # margin and multi-label losses and their gradients
    "multi_margin_loss", "multi_margin_loss_grad",
    "multilabel_margin_loss", "multilabel_margin_loss_grad",
    "soft_margin_loss", "soft_margin_loss_grad",
    "multilabel_soft_margin_loss", "multilabel_soft_margin_loss_grad",
    "hinge_embedding_loss", "hinge_embedding_loss_grad",
    # sequence (notebook 12)
    "ctc_loss", "ctc_loss_grad",
    # cross-entropy at scale (notebook 13)
    "linear_cross_entropy", "linear_cross_entropy_grad", "LOGITS_BUDGET",
    # embedding (notebook 11)
    "margin_ranking_loss", "margin_ranking_loss_grad",
    "cosine_embedding_loss", "cosine_embedding_loss_grad",
    "triplet_margin_loss", "triplet_margin_loss_grad",
    "triplet_margin_with_distance_loss", "triplet_margin_with_distance_loss_grad",
    # compare and plot
    "compare", "tolerances", "verdict",
    "plot_loss_and_grad", "save_figure", "use_course_style", "COURSE_STYLE", "FIGURES",
    "figures_dir",
    # explorers: controls that redraw a figure (the course's own are in helpers.explorers)
    "explore", "explorers",
]
