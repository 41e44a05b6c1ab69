"""The code behind `tasks.py`, one module per concern. Standard library and invoke only:
these modules run before the project's virtual environment exists."""
