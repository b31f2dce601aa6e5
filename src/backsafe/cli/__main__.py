"""``python -m backsafe.cli``: the same as the ``backsafe`` console script."""

from .commands import main

if __name__ == "__main__":
    main()
