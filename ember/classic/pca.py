"""Principal component analysis by the singular value decomposition of the centred data."""
from __future__ import annotations

import ember
from ..tensor import Tensor


class PCA:
    r"""Project onto the directions of largest variance.

    With :math:`X_c = X - \bar X = U S V^T`, the components are the first ``n_components`` rows of
    :math:`V^T`, their variances :math:`S^2 / (N - 1)`; ``transform(X) = (X - mean) V_k`` and
    ``inverse_transform(Z) = Z V_k^T + mean``. Signs follow scikit-learn (the largest-magnitude entry of
    each component is positive), so results equal ``sklearn.decomposition.PCA(svd_solver='full')``.

    Shape: X (N, D) -> (N, n_components).

    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> X = ember.randn(200, 1) * ember.tensor([[3., 1.]]) + 0.1 * ember.randn(200, 2)
    >>> pca = PCA(1).fit(X)
    >>> pca.components_.abs().round(decimals=2)
    tensor([[0.9500, 0.3200]])
    >>> bool(pca.explained_variance_ratio_[0] > 0.99)
    True
    """

    def __init__(self, n_components: int | None = None) -> None:
        self.n_components = n_components
        self.mean_ = self.components_ = None

    def fit(self, X: Tensor) -> "PCA":
        if X.ndim != 2:
            raise ValueError(f"PCA.fit: expected a 2-D (n_samples, n_features) input, got {tuple(X.shape)}")
        n, d = X.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if not 1 <= k <= min(n, d):
            raise ValueError(f"PCA: n_components={k} must be between 1 and min(n_samples, n_features)={min(n, d)}")
        X = X if X.is_floating_point() else X.to(ember.get_default_dtype())
        self.mean_ = X.mean(0)
        _, S, Vt = ember.linalg.svd(X - self.mean_, full_matrices=False)
        rows = ember.arange(Vt.shape[0])
        signs = Vt[rows, Vt.abs().argmax(1)].sign()
        Vt = Vt * signs.masked_fill(signs == 0, 1.0).unsqueeze(1)
        var = S * S / max(n - 1, 1)
        self.n_components_, self.n_features_in_ = k, d
        self.components_ = Vt[:k]
        self.singular_values_ = S[:k]
        self.explained_variance_ = var[:k]
        self.explained_variance_ratio_ = var[:k] / var.sum()
        return self

    def transform(self, X: Tensor) -> Tensor:
        if self.components_ is None:
            raise RuntimeError("PCA: call fit(X) before transform")
        return (X - self.mean_) @ self.components_.T

    def fit_transform(self, X: Tensor) -> Tensor:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: Tensor) -> Tensor:
        if self.components_ is None:
            raise RuntimeError("PCA: call fit(X) before inverse_transform")
        return Z @ self.components_ + self.mean_
