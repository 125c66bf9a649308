"""hubvalue: public-value indicators for multi-agency victim support hubs."""

__version__ = "0.1.0"
