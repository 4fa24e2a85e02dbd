"""The physical world: WGS-84 geodesy, gravity (μ + J2), Earth rotation, atmosphere.

A leaf stage: it imports no other stage (only the shared `shieldwall._types`;
docs/architecture.md §2).
"""
