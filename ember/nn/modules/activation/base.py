"""The two small bases the activation families share: an activation whose only option is ``inplace``, and
one with no options."""
from __future__ import annotations

from ..module import Module


class _Inplace(Module):
    """An activation whose only option is ``inplace``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class _NoArgs(Module):
    def __init__(self) -> None:
        super().__init__()
