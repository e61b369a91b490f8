"""``torch.backends.mps``: Apple's Metal backend, which ember does not have (scripts probe it)."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
