"""``qemu-config matrix``: many configure combinations decided at once, grouped by what they compile.

The package owns the matrix spec (``matrix.toml``: axes, include, exclude,
job names), expanding it into combinations, deciding each combination
in-process with probes shared by the whole matrix, grouping combinations
that compile the same thing, and writing what CI systems read (a table,
JSON, JUnit, GitHub and GitLab pipelines).
"""
