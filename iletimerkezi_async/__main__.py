"""``python -m iletimerkezi_async`` runs the ``iletimerkezi`` command."""

from .cli import main

if __name__ == "__main__":
    main()
