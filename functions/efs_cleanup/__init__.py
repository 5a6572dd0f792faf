"""EFS scratch clean-up: deletes old regular files under configured scratch roots, resumably."""
