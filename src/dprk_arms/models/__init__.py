"""Models layer: pure, vectorised numpy functions (scalars or arrays in, the same shape out)."""
