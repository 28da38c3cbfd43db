GREETING = "hello from a helper beside handler.py"
