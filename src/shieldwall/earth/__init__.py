"""The physical world: WGS-84 geodesy, gravity (μ + J2), Earth rotation, atmosphere.

A leaf package: it imports nothing else from shieldwall (DESIGN.md §1).
"""
