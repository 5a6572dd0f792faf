"""Lambda hygiene: functions run on supported runtimes, are traceable and hold no secrets."""
