"""partnership: the software that runs the Japan-EU Digital Partnership."""
