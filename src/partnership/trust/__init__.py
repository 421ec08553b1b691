"""Trust services of the partnership: each a pure library first, with a thin Django shell on top."""
