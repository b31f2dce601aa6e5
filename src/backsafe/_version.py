"""The package version, in a module of its own: the report writers and the web app read it without importing
the package root (which loads the analysis on first use of ``backsafe.analyze``)."""

__version__ = "0.1.0"
