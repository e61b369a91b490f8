"""Linear classifiers with hand-written, vectorised loss-and-gradient functions (CS231n assignment 1)."""
from __future__ import annotations

import ember
from ..tensor import Tensor


def svm_loss_vectorized(W: Tensor, X: Tensor, y: Tensor, reg: float) -> tuple:
    r"""Multiclass hinge loss and its gradient, no loops.

    .. math::
        L = \frac1N \sum_i \sum_{j \ne y_i} \max(0, s_{ij} - s_{i y_i} + 1) + \text{reg} \|W\|^2,
        \quad s = X W

    Gradient: each positive margin adds :math:`x_i` to column j and subtracts it from column
    :math:`y_i`; :math:`dW = X^T M / N + 2\,\text{reg}\,W` with M the margin indicator matrix.

    Shape: W (D, C), X (N, D), y (N,) -> (loss 0-d, dW (D, C)).
    """
    n = X.shape[0]
    scores = X @ W
    correct = scores.gather(1, y.view(-1, 1))
    margins = (scores - correct + 1.0).clamp(min=0.0)
    margins = margins.scatter(1, y.view(-1, 1), 0.0)
    loss = margins.sum() / n + reg * (W * W).sum()
    mask = (margins > 0).to(X.dtype)
    mask = mask.scatter(1, y.view(-1, 1), -mask.sum(1, keepdim=True))
    dW = X.T @ mask / n + 2.0 * reg * W
    return loss, dW


def softmax_loss_vectorized(W: Tensor, X: Tensor, y: Tensor, reg: float) -> tuple:
    r"""Softmax (cross-entropy) loss and its gradient, no loops.

    .. math::
        L = -\frac1N \sum_i \log \frac{e^{s_{i y_i}}}{\sum_j e^{s_{ij}}} + \text{reg} \|W\|^2, \quad
        dW = X^T (P - Y) / N + 2\,\text{reg}\,W

    with P the row-wise softmax of :math:`s = XW` (shifted by its row maximum for stability) and Y the
    one-hot labels. Shape: W (D, C), X (N, D), y (N,) -> (loss 0-d, dW (D, C)).
    """
    n = X.shape[0]
    scores = X @ W
    scores = scores - scores.amax(1, keepdim=True)
    log_p = scores - scores.exp().sum(1, keepdim=True).log()
    loss = -log_p.gather(1, y.view(-1, 1)).sum() / n + reg * (W * W).sum()
    d_scores = log_p.exp().scatter_add(1, y.view(-1, 1), -ember.ones(n, 1, dtype=X.dtype))
    dW = X.T @ d_scores / n + 2.0 * reg * W
    return loss, dW


class LinearClassifier:
    """A linear score function ``s = X W`` trained by minibatch SGD on ``self.loss`` (CS231n's API).

    ``train(X, y, learning_rate, reg, num_iters, batch_size)`` returns the loss history; ``predict(X)``
    the argmax class. The weights start as ``0.001 * randn(D, C)``; batches are drawn with replacement
    from ember's generator (``ember.manual_seed`` repeats a run).
    """

    def __init__(self) -> None:
        self.W = None

    def loss(self, X: Tensor, y: Tensor, reg: float) -> tuple:
        raise NotImplementedError

    def train(self, X: Tensor, y: Tensor, learning_rate: float = 1e-3, reg: float = 1e-5, num_iters: int = 100,
              batch_size: int = 200, verbose: bool = False) -> list:
        n, d = X.shape
        y = y.long()
        if self.W is None:
            self.W = 0.001 * ember.randn(d, int(y.max()) + 1, dtype=X.dtype)
        history = []
        for it in range(num_iters):
            idx = ember.randint(0, n, (batch_size,))
            loss, dW = self.loss(X[idx], y[idx], reg)
            self.W = self.W - learning_rate * dW
            history.append(float(loss))
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {history[-1]:.6f}")
        return history

    def predict(self, X: Tensor) -> Tensor:
        if self.W is None:
            raise RuntimeError(f"{type(self).__name__}: call train(X, y, ...) before predict")
        return (X @ self.W).argmax(1)


class LinearSVM(LinearClassifier):
    """A linear classifier trained on the multiclass hinge loss (:func:`svm_loss_vectorized`).

    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> X = ember.cat([ember.randn(50, 2) - 3, ember.randn(50, 2) + 3])
    >>> X = ember.cat([X, ember.ones(100, 1)], 1)          # the bias trick
    >>> y = ember.cat([ember.zeros(50), ember.ones(50)]).long()
    >>> svm = LinearSVM()
    >>> _ = svm.train(X, y, learning_rate=0.1, reg=1e-3, num_iters=100, batch_size=20)
    >>> float((svm.predict(X) == y).float().mean())
    1.0
    """

    def loss(self, X: Tensor, y: Tensor, reg: float) -> tuple:
        return svm_loss_vectorized(self.W, X, y, reg)


class Softmax(LinearClassifier):
    """A linear classifier trained on the softmax cross-entropy loss (:func:`softmax_loss_vectorized`)."""

    def loss(self, X: Tensor, y: Tensor, reg: float) -> tuple:
        return softmax_loss_vectorized(self.W, X, y, reg)
