"""Validation rules (pure): what makes generated code acceptable at each level."""
