"""Pure logic of MGE: no I/O, no frameworks, nothing of the other packages."""
