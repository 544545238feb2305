"""Screens of the quiz app: start, question, results and the modal dialogs."""
