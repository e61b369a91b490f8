"""Feature scalers with scikit-learn's semantics, on ember tensors of shape (n_samples, n_features)."""
from __future__ import annotations

import numpy as np

from ..dtypes import get_default_dtype
from ..ops.creation import as_tensor
from ..tensor import Tensor


def _as_2d(X, name: str) -> Tensor:
    X = X if isinstance(X, Tensor) else as_tensor(np.asarray(X))
    if X.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D (n_samples, n_features) input, got shape {tuple(X.shape)}; "
                         f"reshape a single feature with X.reshape(-1, 1)")
    if not X.is_floating_point():
        X = X.to(get_default_dtype())
    return X


class _Scaler:
    """The fit/transform protocol: ``fit_transform(X) == fit(X).transform(X)``."""

    _fitted_attr = ""

    def _check_fitted(self, name: str) -> None:
        if getattr(self, self._fitted_attr, None) is None:
            raise RuntimeError(f"{type(self).__name__}.{name}: this scaler is not fitted yet; call fit(X) first")

    def _check_features(self, X: Tensor, name: str) -> None:
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{type(self).__name__}.{name}: X has {X.shape[1]} features, but the scaler was "
                             f"fitted on {self.n_features_in_}")

    def fit_transform(self, X) -> Tensor:
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    r"""z-score standardisation per feature: :math:`z = (x - \mu) / \sigma`, inverse :math:`x = z \sigma + \mu`.

    :math:`\mu` and :math:`\sigma` are each column's mean and population standard deviation (``ddof=0``,
    as scikit-learn); a constant column gets :math:`\sigma = 1` so it maps to 0, not NaN.

    Shape: X (n_samples, n_features); ``mean_``, ``var_``, ``scale_`` (n_features).

    >>> import ember
    >>> X = ember.tensor([[1., 10.], [3., 10.], [5., 10.]])
    >>> s = StandardScaler().fit(X)
    >>> s.mean_, s.scale_
    (tensor([ 3., 10.]), tensor([1.6330, 1.0000]))
    >>> s.transform(X)[:, 0]
    tensor([-1.2247,  0.0000,  1.2247])
    >>> bool((s.inverse_transform(s.transform(X)) - X).abs().max() < 1e-6)
    True
    """

    _fitted_attr = "scale_"

    def __init__(self, *, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean, self.with_std = with_mean, with_std
        self.mean_ = self.var_ = self.scale_ = None
        self.n_features_in_ = self.n_samples_seen_ = 0

    def fit(self, X) -> "StandardScaler":
        X = _as_2d(X, "StandardScaler.fit")
        self.n_samples_seen_, self.n_features_in_ = X.shape
        self.mean_ = X.mean(0) if self.with_mean else None
        self.var_ = X.var(0, unbiased=False) if self.with_std else None
        if self.with_std:
            std = self.var_.sqrt()
            self.scale_ = std.masked_fill(std == 0, 1.0)
        else:
            self.scale_ = X.new_ones(X.shape[1])
        return self

    def transform(self, X) -> Tensor:
        self._check_fitted("transform")
        X = _as_2d(X, "StandardScaler.transform")
        self._check_features(X, "transform")
        if self.with_mean:
            X = X - self.mean_
        return X / self.scale_ if self.with_std else X

    def inverse_transform(self, X) -> Tensor:
        self._check_fitted("inverse_transform")
        X = _as_2d(X, "StandardScaler.inverse_transform")
        self._check_features(X, "inverse_transform")
        if self.with_std:
            X = X * self.scale_
        return X + self.mean_ if self.with_mean else X


class MinMaxScaler(_Scaler):
    r"""Min-max scaling of each feature into ``feature_range = (lo, hi)``.

    .. math::
        s = \frac{hi - lo}{X_{\max} - X_{\min}}, \quad m = lo - X_{\min} s, \quad
        x' = X s + m, \quad X = (x' - m) / s

    (the seed notes' ``std`` and ``min1``; scikit-learn's ``scale_`` and ``min_``). A constant column
    gets range 1. ``clip=True`` clips transformed values to ``feature_range``.

    Shape: X (n_samples, n_features); ``data_min_``, ``data_max_``, ``scale_``, ``min_`` (n_features).

    >>> import ember
    >>> X = ember.tensor([[0., -1.], [5., 1.], [10., 3.]])
    >>> s = MinMaxScaler(feature_range=(-1, 1))
    >>> s.fit_transform(X)
    tensor([[-1., -1.],
            [ 0.,  0.],
            [ 1.,  1.]])
    >>> s.inverse_transform(ember.tensor([[0.5, 0.5]]))
    tensor([[7.5000, 2.0000]])
    """

    _fitted_attr = "scale_"

    def __init__(self, feature_range: tuple = (0, 1), *, clip: bool = False) -> None:
        lo, hi = feature_range
        if lo >= hi:
            raise ValueError(f"MinMaxScaler: minimum of the desired feature range must be smaller than the "
                             f"maximum, got {tuple(feature_range)}")
        self.feature_range, self.clip = (lo, hi), clip
        self.data_min_ = self.data_max_ = self.data_range_ = self.scale_ = self.min_ = None
        self.n_features_in_ = self.n_samples_seen_ = 0

    def fit(self, X) -> "MinMaxScaler":
        X = _as_2d(X, "MinMaxScaler.fit")
        lo, hi = self.feature_range
        self.n_samples_seen_, self.n_features_in_ = X.shape
        self.data_min_, self.data_max_ = X.amin(0), X.amax(0)
        self.data_range_ = self.data_max_ - self.data_min_
        safe_range = self.data_range_.masked_fill(self.data_range_ == 0, 1.0)
        self.scale_ = (hi - lo) / safe_range
        self.min_ = lo - self.data_min_ * self.scale_
        return self

    def transform(self, X) -> Tensor:
        self._check_fitted("transform")
        X = _as_2d(X, "MinMaxScaler.transform")
        self._check_features(X, "transform")
        out = X * self.scale_ + self.min_
        return out.clamp(*self.feature_range) if self.clip else out

    def inverse_transform(self, X) -> Tensor:
        self._check_fitted("inverse_transform")
        X = _as_2d(X, "MinMaxScaler.inverse_transform")
        self._check_features(X, "inverse_transform")
        return (X - self.min_) / self.scale_
