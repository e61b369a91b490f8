"""k-nearest neighbours with no Python loop over test points (CS231n's ``compute_distances_no_loops``)."""
from __future__ import annotations

import ember
from ..tensor import Tensor


def pairwise_distances(A: Tensor, B: Tensor, p: int) -> Tensor:
    r"""(m, n) distances between the rows of A (m, d) and B (n, d).

    L2 uses :math:`\|a - b\|^2 = \|a\|^2 + \|b\|^2 - 2 a \cdot b` (one GEMM, clamped at 0 before the root);
    L1 has no GEMM form, so it broadcasts (m', n, d) differences for blocks of m' rows of A, with
    m' n d bounded to ~16M elements.
    """
    if p == 2:
        sq = (A * A).sum(1, keepdim=True) + (B * B).sum(1) - 2.0 * (A @ B.T)
        return sq.clamp(min=0.0).sqrt()
    if p == 1:
        rows = max(1, (1 << 24) // max(1, B.shape[0] * B.shape[1]))
        return ember.cat([(A[i:i + rows].unsqueeze(1) - B.unsqueeze(0)).abs().sum(-1)
                          for i in range(0, A.shape[0], rows)])
    raise ValueError(f"KNearestNeighbor: p must be 1 (L1) or 2 (L2), got {p}")


def _vote(nearest_labels: Tensor, num_classes: int) -> Tensor:
    """The most common label per row; ties go to the smallest label (CS231n's rule)."""
    counts = ember.zeros(nearest_labels.shape[0], num_classes, dtype=ember.int64)
    counts.scatter_add_(1, nearest_labels, ember.ones_like(nearest_labels))
    return counts.argmax(1)  # argmax returns the first maximum: the smallest tied label


class KNearestNeighbor:
    r"""k-nearest-neighbour classifier: the label of a test point is the majority label of its k closest
    training points under the L1 (:math:`\sum_i |a_i - b_i|`) or L2 (:math:`\sqrt{\sum_i (a_i - b_i)^2}`)
    distance. ``fit`` only memorises; ``predict`` computes all distances at once, ``chunk`` test rows at a
    time to bound memory.

    Shape: X_train (N, D), y_train (N,) int; X (M, D) -> (M,) int64.

    >>> import ember
    >>> X = ember.tensor([[0., 0.], [0., 1.], [5., 5.], [6., 5.]])
    >>> knn = KNearestNeighbor().fit(X, ember.tensor([0, 0, 1, 1]))
    >>> knn.predict(ember.tensor([[0.2, 0.4], [5.5, 4.0]]), k=3)
    tensor([0, 1])
    """

    def __init__(self, p: int = 2, chunk: int = 1024) -> None:
        if p not in (1, 2):
            raise ValueError(f"KNearestNeighbor: p must be 1 (L1) or 2 (L2), got {p}")
        self.p, self.chunk = p, chunk
        self.X_train = self.y_train = None

    def fit(self, X: Tensor, y: Tensor) -> "KNearestNeighbor":
        if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(f"KNearestNeighbor.fit: expected X (N, D) and y (N,), got {tuple(X.shape)} and "
                             f"{tuple(y.shape)}")
        self.X_train, self.y_train = X.reshape(X.shape[0], -1).float(), y.long()
        self.num_classes = int(self.y_train.max()) + 1
        return self

    def compute_distances(self, X: Tensor) -> Tensor:
        """(M, N) distances from each test row to each training row."""
        if self.X_train is None:
            raise RuntimeError("KNearestNeighbor: call fit(X, y) before predict")
        X = X.reshape(X.shape[0], -1).float()
        if X.shape[1] != self.X_train.shape[1]:
            raise ValueError(f"KNearestNeighbor: test points have {X.shape[1]} features, training points "
                             f"{self.X_train.shape[1]}")
        return pairwise_distances(X, self.X_train, self.p)

    def predict(self, X: Tensor, k: int = 1) -> Tensor:
        if not 1 <= k <= (0 if self.y_train is None else len(self.y_train)):
            raise ValueError(f"KNearestNeighbor.predict: k must be in [1, number of training points], got {k}")
        out = []
        for i in range(0, X.shape[0], self.chunk):
            dists = self.compute_distances(X[i:i + self.chunk])
            idx = dists.topk(k, dim=1, largest=False).indices
            out.append(_vote(self.y_train[idx], self.num_classes))
        return ember.cat(out)


def cross_validate_k(X: Tensor, y: Tensor, ks, num_folds: int = 5, p: int = 2) -> dict:
    """k-fold cross-validation of kNN: ``{k: [accuracy on each held-out fold]}``. Distances are computed
    once per fold and reused for every k."""
    folds_X, folds_y = X.chunk(num_folds), y.chunk(num_folds)
    result = {k: [] for k in ks}
    for i in range(num_folds):
        train_X = ember.cat([f for j, f in enumerate(folds_X) if j != i])
        train_y = ember.cat([f for j, f in enumerate(folds_y) if j != i])
        knn = KNearestNeighbor(p).fit(train_X, train_y)
        dists = knn.compute_distances(folds_X[i])
        order = dists.topk(max(ks), dim=1, largest=False).indices
        for k in ks:
            pred = _vote(train_y[order[:, :k]], knn.num_classes)
            result[k].append(float((pred == folds_y[i]).float().mean()))
    return result
