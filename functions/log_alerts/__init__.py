"""Forward matching Kubernetes log lines from CloudWatch Logs to the alerts topic."""
