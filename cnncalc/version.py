"""cnncalc's version, a leaf module: the package and the HTML report's generator tag read it."""
__version__ = "0.1.0"
