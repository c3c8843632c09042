"""A party's station window: live pictures, the steps, the agreement, the signature pad."""
