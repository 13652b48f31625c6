"""The S3-compatible server the tests run against: moto, handling one request at a time.

moto checks `If-None-Match: *` and then stores the object in two separate steps, so under
its threaded server two concurrent creates of one key can both succeed. S3 makes that check
atomic, and Puente's create-only revisions rely on it; serialising requests gives the tests
a server that keeps the same promise.

Usage: python3 s3_server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.threaded_moto_server import (
    DomainDispatcherApplication,
    create_backend_app,
)
from werkzeug.serving import run_simple

backend = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def serialised(environ, start_response):
    with one_at_a_time:
        # Consumed inside the lock: the response is built while no other request runs.
        return list(backend(environ, start_response))


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    run_simple(host, port, serialised, threaded=True)
