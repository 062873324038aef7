"""`python -m watchkeeper.cli`: how `watchkeeper serve` starts its worker with the same interpreter."""

from watchkeeper.cli import main

main()
