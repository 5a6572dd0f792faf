"""EBS reaper: deletes volumes left unattached past a grace window, snapshotting them first."""
