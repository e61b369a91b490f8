"""``ember.classic``: the EECS 498 / CS231n classics, vectorised on ember tensors.

k-nearest neighbours (L1/L2, k chosen by k-fold cross-validation), linear SVM and softmax classifiers
with hand-written loss-and-gradient functions, a two-layer net with its hand-written backward, and PCA by
SVD. ``python -m ember.classic.demo`` runs them on the shipped Fashion-MNIST subset.
"""
from __future__ import annotations

from .knn import KNearestNeighbor, cross_validate_k
from .linear import LinearClassifier, LinearSVM, Softmax, softmax_loss_vectorized, svm_loss_vectorized
from .pca import PCA
from .two_layer import TwoLayerNet

__all__ = ["KNearestNeighbor", "cross_validate_k", "LinearClassifier", "LinearSVM", "Softmax",
           "svm_loss_vectorized", "softmax_loss_vectorized", "TwoLayerNet", "PCA"]
