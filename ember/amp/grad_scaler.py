"""Dynamic loss scaling for low-precision training: torch.amp.GradScaler's algorithm and state."""
from __future__ import annotations

import math
from collections import defaultdict
from enum import Enum

import ember
from ..tensor import Tensor


class _Stage(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


class GradScaler:
    r"""Scale the loss so small float16 gradients do not underflow, and undo it before the step.

    Each iteration::

        scaler.scale(loss).backward()   # gradients of s * loss
        scaler.unscale_(opt)            # optional, e.g. before clip_grad_norm_: grads /= s
        scaler.step(opt)                # unscale if not done; skip the step if any grad is inf/NaN
        scaler.update()                 # inf/NaN seen: s *= backoff_factor; else after growth_interval
                                        # clean steps in a row: s *= growth_factor

    The scale starts at ``init_scale``; ``state_dict`` holds it with the growth tracker, so a resumed run
    continues the same sequence of scales. ``enabled=False`` makes every method a pass-through.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.ones(2))
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> scaler = GradScaler(init_scale=1024.0)
    >>> scaler.scale((w * 3).sum()).backward()
    >>> float(w.grad[0])
    3072.0
    >>> scaler.step(opt); scaler.update()
    >>> w.detach()
    tensor([0.7000, 0.7000])
    """

    def __init__(self, device: str = "cpu", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        if growth_factor <= 1.0:
            raise ValueError("The growth factor must be > 1.0.")
        if backoff_factor >= 1.0:
            raise ValueError("The backoff factor must be < 1.0.")
        self._device = device
        self._enabled = enabled
        self._init_scale, self._growth_factor, self._backoff_factor = init_scale, growth_factor, backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._scale: float | None = None
        self._growth_tracker: int | None = None
        self._per_optimizer = defaultdict(lambda: {"stage": _Stage.READY, "found_inf": None})

    # ---------------------------------------------------------------------------------- the loop
    def scale(self, outputs):
        """``outputs * scale`` (a tensor, or a list/tuple/dict of them, walked recursively)."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale, self._growth_tracker = float(self._init_scale), self._init_growth_tracker
        s = self._scale
        if isinstance(outputs, Tensor):
            return outputs * ember.tensor(s, dtype=ember.float32)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if isinstance(outputs, dict):
            return {k: self.scale(v) for k, v in outputs.items()}
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide the optimizer's gradients by the scale in place and record whether any is inf/NaN."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer[id(optimizer)]
        if state["stage"] is _Stage.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = float(ember.tensor(1.0 / self._scale, dtype=ember.float32))  # torch: double reciprocal, float
        found_inf = False
        with ember.no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype == ember.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    p.grad.mul_(inv_scale)
                    if not found_inf and not bool(p.grad.isfinite().all()):
                        found_inf = True
        state["found_inf"] = found_inf
        state["stage"] = _Stage.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless an inf/NaN gradient was found (then the step is skipped: None)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer[id(optimizer)]
        if state["stage"] is _Stage.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        retval = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Back off after an inf/NaN, grow after ``growth_interval`` clean steps; or set ``new_scale``."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1 or new_scale.is_floating_point() is False:
                    raise ValueError("new_scale should be a float or a 1-element torch.FloatTensor")
                new_scale = float(new_scale)
            self._scale = float(new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values() if s["found_inf"] is not None]
            if not found:
                raise RuntimeError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    if math.isfinite(float(ember.tensor(grown, dtype=ember.float32))):
                        self._scale = grown
                    self._growth_tracker = 0
            self._scale = float(ember.tensor(self._scale, dtype=ember.float32))  # torch keeps a float32 scale
        self._per_optimizer.clear()

    def _check_scale_growth_tracker(self, name: str) -> None:
        if self._scale is None:
            raise RuntimeError(f"Attempted {name} but _scale is None.  This may indicate your script did not "
                               "use scaler.scale(loss or outputs) earlier in the iteration.")

    # ---------------------------------------------------------------------------------- state
    def get_scale(self) -> float:
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        tracker = self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = float(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]
