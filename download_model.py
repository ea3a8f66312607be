#!/usr/bin/env python3
"""Download the VoxTell v1.1 weights and embedding bank into ./models (see `--help`)."""

from voxtell.download import main

if __name__ == "__main__":
    raise SystemExit(main())
