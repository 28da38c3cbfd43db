"""Porting a tested definition to AWS: what would differ there (``lint``), the IAM policy it
needs, the deployment as a plan and its execution (``deploy``), and the way back into
infrastructure code (``export``). Imported only by those commands."""
