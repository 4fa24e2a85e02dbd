"""The ``shieldwall`` command line (typer + rich).

The CLI owns all printing; the library never prints.
"""
