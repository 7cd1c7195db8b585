"""The module helper under its first name: ``import skein_module`` is ``import skein.module``.

Kept so that modules written as ``from skein_module import Module, service, method`` (with this folder on
``sys.path``, or the skein package installed) keep working. New modules may import :mod:`skein.module`.
"""

import sys

from skein import module as _module

sys.modules[__name__] = _module
