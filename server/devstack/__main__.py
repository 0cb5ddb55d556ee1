"""`python -m server.devstack`: the launcher behind scripts/run.sh."""
from .launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
