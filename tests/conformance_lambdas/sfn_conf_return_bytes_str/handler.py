def handler(event, context):
    # raw bytes are the response body as they are: here the JSON text of a string
    return b'"HelloWorld!"'
