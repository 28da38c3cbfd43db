"""The CLI commands that live in modules of their own (one per command), registered by name in
``asl_runner.cli._COMMANDS`` and imported only when they run or ``--help`` lists them."""
