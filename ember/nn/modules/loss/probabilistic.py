"""Probabilistic losses: negative log-likelihoods of the target under the predicted distribution
(CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, PoissonNLLLoss, GaussianNLLLoss, and CTCLoss over
every alignment of a sequence) and the KL divergence between two distributions (KLDivLoss)."""
from __future__ import annotations

from ... import functional as F
from .base import _Loss, _WeightedLoss

__all__ = ["CrossEntropyLoss", "NLLLoss", "NLLLoss2d", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
           "PoissonNLLLoss", "GaussianNLLLoss", "CTCLoss"]


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy between the softmax of logits x and a target: for a class index y_n,

        l_n = -w[y_n] log(exp(x[n, y_n]) / sum_c exp(x[n, c]))

    and for class probabilities p_n, l_n = -sum_c w[c] p[n, c] log softmax(x_n)[c]. With
    ``label_smoothing = e`` the target is (1 - e) onehot(y_n) + e / C. One fused, stable kernel
    (log-sum-exp shifted by the row maximum).

    Args:
        weight: a (C,) weight per class. Default: None (all 1).
        ignore_index: a class-index target value that contributes nothing (nor to the mean's
            denominator). Default: -100.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
            With class indices, ``'mean'`` divides by sum_n w[y_n] over the targets not ignored.
        label_smoothing: e in [0, 1]. Default: 0.

    Shape (C classes, N batch, d_k extra dims):
        - Input: (N, C), (C,), or (N, C, d_1, ..., d_K) logits.
        - Target: class indices (N) / () / (N, d_1, ..., d_K) in [0, C), int64; or probabilities of the
          input's shape.
        - Output: a scalar, or (N) / (N, d_1, ..., d_K) with ``reduction='none'``.

    Gradient: dl_n/dx_n = w (softmax(x_n) - t_n), t_n the (smoothed) one-hot or probability target.

    No parameters (``weight`` is a buffer).

    Examples::

        >>> import ember
        >>> logits = ember.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]], requires_grad=True)
        >>> loss = ember.nn.CrossEntropyLoss()(logits, ember.tensor([0, 2]))
        >>> loss.backward()
        >>> loss, logits.grad
        (tensor(0.8964, grad_fn=<NllLossBackward0>), tensor([[-0.1072,  0.0876,  0.0196],
                [ 0.1060,  0.2881, -0.3940]]))
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of log-probabilities x (e.g. a ``LogSoftmax`` output):
    l_n = -w[y_n] x[n, y_n]; ``'mean'`` divides by sum_n w[y_n] over the targets not ignored.

    Args:
        weight: a (C,) weight per class. Default: None (all 1).
        ignore_index: a target value that contributes nothing. Default: -100.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.

    Shape: Input (N, C), (C,) or (N, C, d_1, ..., d_K); Target (N), () or (N, d_1, ..., d_K) class indices;
    Output a scalar, or the target's shape with ``reduction='none'``.

    Gradient: dl_n/dx[n, c] = -w[y_n] where c = y_n, else 0 (scaled by the mean's denominator).

    No parameters (``weight`` is a buffer).

    Examples::

        >>> import ember
        >>> logp = ember.log_softmax(ember.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]]), dim=1)
        >>> ember.nn.NLLLoss()(logp, ember.tensor([0, 2]))
        tensor(0.8964)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


NLLLoss2d = NLLLoss


class BCELoss(_WeightedLoss):
    """Binary cross entropy on probabilities x in [0, 1]: l_n = -w_n (y_n log x_n + (1 - y_n) log(1 - x_n)),
    each log clamped to >= -100 (as torch) so that x = 0 or 1 gives a finite loss. On logits prefer the
    stabler ``BCEWithLogitsLoss``.

    Args:
        weight: a rescaling weight broadcast to the input. Default: None.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = w (x - y) / max(x (1 - x), 1e-12).

    No parameters (``weight`` is a buffer).

    Examples::

        >>> import ember
        >>> x = ember.tensor([0.9, 0.2, 0.5])
        >>> ember.nn.BCELoss()(x, ember.tensor([1.0, 0.0, 1.0]))
        tensor(0.3406)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy on logits, in one numerically stable expression:

        l_n = -w_n [p y_n log sigmoid(x_n) + (1 - y_n) log(1 - sigmoid(x_n))]
            = w_n [(1 - y_n) x_n + (1 + (p - 1) y_n) (log(1 + exp(-|x_n|)) + max(-x_n, 0))]

    with p = ``pos_weight`` (1 if not given).

    Args:
        weight: a rescaling weight broadcast to the input. Default: None.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        pos_weight: weight of the positive term, broadcast along the last (class) dim, e.g. (C,). Default: None.

    Shape: Input (*) logits, Target (*) in [0, 1] of the same shape; Output a scalar, or (*) with
    ``reduction='none'``.

    Gradient: dl_n/dx_n = w_n [(1 + (p - 1) y_n) sigmoid(x_n) - p y_n]; w_n (sigmoid(x_n) - y_n) when p = 1.

    No parameters (``weight`` and ``pos_weight`` are buffers).

    Examples::

        >>> import ember
        >>> x = ember.tensor([1.5, -0.5, 0.0], requires_grad=True)
        >>> loss = ember.nn.BCEWithLogitsLoss()(x, ember.tensor([1.0, 0.0, 1.0]))
        >>> loss.backward()
        >>> loss, x.grad
        (tensor(0.4562, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>), tensor([-0.0608,  0.1258, -0.1667]))
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence loss on log-probabilities x (e.g. a ``LogSoftmax`` output) and target
    probabilities y: l = y (log y - x) per element (0 where y = 0); with ``log_target=True`` the target is
    log y and l = e^(log y) (log y - x).

    Args:
        reduction: ``'none'``, ``'sum'``, ``'mean'`` (over all elements, not the KL divergence) or
            ``'batchmean'`` (the sum divided by the batch size N: the true KL divergence). Default: ``'mean'``.
        log_target: whether the target is given as log-probabilities. Default: ``False``.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = -y.

    No parameters.

    Examples::

        >>> import ember
        >>> logq = ember.log_softmax(ember.tensor([[1.0, 2.0, 0.5]]), dim=1)
        >>> ember.nn.KLDivLoss(reduction='batchmean')(logq, ember.tensor([[0.2, 0.5, 0.3]]))
        tensor(0.0847)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Negative log likelihood of a target y under a Poisson distribution of rate lambda:
    l_n = e^(x_n) - y_n x_n (``log_input=True``, x = log lambda) or x_n - y_n log(x_n + eps) (x = lambda);
    ``full=True`` adds Stirling's term y log y - y + 0.5 log(2 pi y) for y > 1.

    Gradient: dl/dx = e^x - y (log_input) or 1 - y / (x + eps); divided by the element count with ``'mean'``.

    Args:
        log_input: whether the input is log lambda (``True``) or lambda. Default: ``True``.
        full: whether to add the Stirling approximation term. Default: ``False``.
        eps: added to lambda before the log when ``log_input=False``. Default: 1e-8.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the same shape.
        - Output: a scalar, or (*) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([1.0, 0.5, 2.0], requires_grad=True)
        >>> loss = ember.nn.PoissonNLLLoss()(x, ember.tensor([2.0, 0.0, 1.0]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (2.5854, tensor([0.2394, 0.5496, 2.1297]))
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log likelihood of a target y under a Gaussian N(x, var) with predicted mean x and
    variance var: l_n = 0.5 (log max(var_n, eps) + (x_n - y_n)^2 / max(var_n, eps)), plus 0.5 log(2 pi)
    with ``full=True``.

    Gradient: dl/dx = (x - y) / v, dl/dvar = 0.5 (1 / v - (x - y)^2 / v^2) where var > eps (0 where clamped),
    v = max(var, eps); divided by the element count with ``'mean'``.

    Args:
        full: include the constant 0.5 log(2 pi). Default: ``False``.
        eps: the clamp of var, for stability. Default: 1e-6.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Call: ``m(input, target, var)``.

    Shape:
        - Input: (N, *) or (*).
        - Target: the shape of the input, or broadcastable to it.
        - Var: the shape of the input, or with the last dim 1 or absent (one variance per sample, homoscedastic).
        - Output: a scalar, or the shape of the input with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([[0.0, 1.0], [2.0, 2.0]], requires_grad=True)
        >>> y = ember.tensor([[0.0, 0.0], [1.0, 3.0]])
        >>> loss = ember.nn.GaussianNLLLoss()(x, y, ember.tensor([[1.0, 1.0], [0.5, 2.0]]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (0.4375, tensor([[ 0.0000,  0.2500],
                [ 0.5000, -0.1250]]))
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (Graves et al., 2006): l_n = -log p(y_n | x_n), the sum
    over every alignment of the input frames to the target that collapses to y_n (repeats merged, blanks
    removed), computed by the forward (alpha) recursion in log space.

    Gradient: with y = e^(log_probs) and the forward-backward (alpha-beta) variables of the blank-extended
    target l' (both including the emission at t, as Graves), dl/dlog_probs[t, c] =
    y[t, c] - (1 / (p y[t, c])) sum_{s: l'_s = c} alpha_t(s) beta_t(s), p = p(y_n | x_n).

    Args:
        blank: the index of the blank label. Default: 0.
        reduction: ``'none'``, ``'mean'`` (each loss divided by its target length, then the batch mean) or
            ``'sum'``. Default: ``'mean'``.
        zero_infinity: replace infinite losses (impossible alignments) and their gradients by 0.
            Default: ``False``.

    Call: ``m(log_probs, targets, input_lengths, target_lengths)``.

    Shape:
        - Log_probs: (T, N, C) or (T, C), log-softmax outputs; T input length, N batch, C classes with the blank.
        - Targets: (N, S) padded, or (sum(target_lengths),) concatenated; no blanks.
        - Input_lengths: (N) or (), each <= T.
        - Target_lengths: (N) or (), each <= S.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> log_probs = ember.full((2, 1, 3), 1 / 3).log()  # T=2, N=1, C=3, uniform
        >>> loss = ember.nn.CTCLoss()(log_probs, ember.tensor([[1]]), ember.tensor([2]), ember.tensor([1]))
        >>> round(loss.item(), 4)  # 3 of 9 paths give "1": -log(1/3)
        1.0986
        >>> log_probs = ember.randn(50, 16, 20).log_softmax(2)
        >>> targets = ember.randint(1, 20, (16, 30))
        >>> lengths = ember.full((16,), 50, dtype=ember.long), ember.randint(10, 30, (16,))
        >>> ember.nn.CTCLoss(reduction="none")(log_probs, targets, *lengths).shape
        ember.Size([16])
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)
