"""``python -m service_monitoring``: the same command as ``service-monitoring``."""

from service_monitoring.cli.app import main

if __name__ == "__main__":
    raise SystemExit(main())
