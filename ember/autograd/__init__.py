"""Reverse-mode automatic differentiation: Function, the engine, grad modes, checks."""
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import Function, Node, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
# ``functional`` (jacobian, hessian, ...) sits above the ops: the ember package imports it

__all__ = ["Function", "Node", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "detect_anomaly", "set_detect_anomaly",
           "is_grad_enabled", "once_differentiable", "functional"]
