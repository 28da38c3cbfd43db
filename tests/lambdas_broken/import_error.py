import no_such_module_for_asl_runner_tests  # noqa: F401


def handler(event, context):
    return event
