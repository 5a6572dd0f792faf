"""Exposure: nothing is reachable from the internet or by strangers unless someone chose so."""
