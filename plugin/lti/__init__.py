"""LTI 1.3 / LTI Advantage: pylti1p3 behind a strict layer (see validation.py for the checks)."""
