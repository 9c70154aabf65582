"""``python -m mapwright``: the same as the ``mapwright`` command."""

from mapwright.cli import main

main()
