"""EC2 test-hours scheduler: stops opted-in test instances after hours and starts them again."""
