"""``transforms.v2.functional``: the same functions as :mod:`ember.vision.transforms.functional`."""
from ..functional import *  # noqa: F401,F403
from ..functional import __all__  # noqa: F401
