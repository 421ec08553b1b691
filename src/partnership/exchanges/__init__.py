"""The exchanges: joint actions that are themselves information-exchange systems (DESIGN.md)."""
