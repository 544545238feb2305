"""Subcommands of ``quiz``; each module imports its heavy dependencies inside the command."""
