"""The version of the skein Python package (sdk/python)."""

__version__ = "0.1.0"
