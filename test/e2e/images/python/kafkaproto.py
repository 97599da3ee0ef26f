"""Client side of the kafka stand-in's JSON-line protocol (kafka-topics, snuba)."""
import json
import socket


def call(server, request, timeout=3.0):
    """server 'host:port'; request dict -> reply dict; raises OSError when the broker is down."""
    host, _, port = server.strip().rpartition(":")
    with socket.create_connection((host or server, int(port or 9092)), timeout=timeout) as sock:
        sock.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
    return json.loads(data)


def call_any(servers, request, timeout=3.0):
    """Try each bootstrap server in turn, like a client's bootstrap list."""
    error = OSError("no bootstrap servers")
    for server in servers:
        try:
            return call(server, request, timeout)
        except (OSError, ValueError) as exc:
            error = exc
    raise error
