"""electra-rtd: Korean short-message understanding with ELECTRA."""

__version__ = "0.1.0"
