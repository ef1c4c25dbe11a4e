"""`python -m plugin` runs the flipside command line."""

from .cli import main

main()
