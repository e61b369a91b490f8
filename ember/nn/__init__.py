"""``ember.nn``: Module, Parameter, every layer, losses, init and utils, with torch's names."""
from . import functional, init  # noqa: F401
from .parameter import Buffer, Parameter, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from .modules._registry import load_all as _load_all

globals().update(_load_all())
from . import utils  # noqa: E402,F401
globals().pop("parallel", None)  # `import *` brought the layer module modules/parallel.py; the package wins
from . import parallel  # noqa: E402,F401  (torch.nn.parallel.DataParallel lives there too)
