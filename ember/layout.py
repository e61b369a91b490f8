"""Memory formats: ``ember.contiguous_format`` (NCHW, torch's default) and ``ember.channels_last``
(NHWC storage seen through NCHW strides, as torch's)."""
from __future__ import annotations


class memory_format:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ember.{self.name}"


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
preserve_format = memory_format("preserve_format")
