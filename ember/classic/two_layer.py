"""A two-layer fully connected net with its backward pass written by hand (CS231n assignment 1)."""
from __future__ import annotations

import ember
from ..tensor import Tensor


class TwoLayerNet:
    r"""affine - ReLU - affine - softmax, trained by SGD with a hand-written backward.

    .. math::
        h = \max(0, X W_1 + b_1), \quad s = h W_2 + b_2, \quad
        L = \text{CE}(s, y) + \text{reg} (\|W_1\|^2 + \|W_2\|^2)

    Backward: :math:`ds = (P - Y)/N`, :math:`dW_2 = h^T ds + 2\,\text{reg}\,W_2`, :math:`db_2 = \sum ds`,
    :math:`dh = ds W_2^T \odot [h > 0]`, :math:`dW_1 = X^T dh + 2\,\text{reg}\,W_1`, :math:`db_1 = \sum dh`.

    Init: ``W ~ std * N(0, 1)``, ``b = 0``. Shape: X (N, D) -> scores (N, C).

    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> net = TwoLayerNet(4, 8, 3, std=0.1)
    >>> loss, grads = net.loss(ember.randn(5, 4), ember.tensor([0, 1, 2, 1, 0]), reg=0.1)
    >>> sorted(grads), tuple(grads["W1"].shape)
    (['W1', 'W2', 'b1', 'b2'], (4, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, std: float = 1e-4,
                 dtype=None) -> None:
        dtype = dtype or ember.get_default_dtype()
        self.params = {"W1": std * ember.randn(input_size, hidden_size, dtype=dtype),
                       "b1": ember.zeros(hidden_size, dtype=dtype),
                       "W2": std * ember.randn(hidden_size, output_size, dtype=dtype),
                       "b2": ember.zeros(output_size, dtype=dtype)}

    def loss(self, X: Tensor, y: Tensor | None = None, reg: float = 0.0):
        """Scores when ``y`` is None, else (loss, grads) with grads keyed like ``params``."""
        p = self.params
        h = (X @ p["W1"] + p["b1"]).clamp(min=0.0)
        scores = h @ p["W2"] + p["b2"]
        if y is None:
            return scores
        n = X.shape[0]
        y = y.long().view(-1, 1)
        shifted = scores - scores.amax(1, keepdim=True)
        log_p = shifted - shifted.exp().sum(1, keepdim=True).log()
        loss = -log_p.gather(1, y).sum() / n + reg * ((p["W1"] ** 2).sum() + (p["W2"] ** 2).sum())
        d_scores = log_p.exp().scatter_add(1, y, -ember.ones(n, 1, dtype=X.dtype)) / n
        d_h = (d_scores @ p["W2"].T) * (h > 0).to(X.dtype)
        grads = {"W2": h.T @ d_scores + 2 * reg * p["W2"], "b2": d_scores.sum(0),
                 "W1": X.T @ d_h + 2 * reg * p["W1"], "b1": d_h.sum(0)}
        return loss, grads

    def train(self, X: Tensor, y: Tensor, X_val: Tensor, y_val: Tensor, learning_rate: float = 1e-3,
              learning_rate_decay: float = 0.95, reg: float = 5e-6, num_iters: int = 100, batch_size: int = 200,
              verbose: bool = False) -> dict:
        """Minibatch SGD; the learning rate decays by ``learning_rate_decay`` after every epoch."""
        n = X.shape[0]
        per_epoch = max(n // batch_size, 1)
        hist = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
        for it in range(num_iters):
            idx = ember.randint(0, n, (batch_size,))
            loss, grads = self.loss(X[idx], y[idx], reg)
            for k, g in grads.items():
                self.params[k] = self.params[k] - learning_rate * g
            hist["loss_history"].append(float(loss))
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {float(loss):.6f}")
            if it % per_epoch == 0:
                hist["train_acc_history"].append(float((self.predict(X[idx]) == y[idx]).float().mean()))
                hist["val_acc_history"].append(float((self.predict(X_val) == y_val).float().mean()))
                learning_rate *= learning_rate_decay
        return hist

    def predict(self, X: Tensor) -> Tensor:
        return self.loss(X).argmax(1)
