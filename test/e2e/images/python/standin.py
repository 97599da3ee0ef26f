"""Helpers shared by the python stand-ins: the start-up line, logging, tiny line-protocol servers."""
import json
import os
import signal
import socket
import socketserver
import sys
import time


def announce(argv=None, image=None):
    """Print the `standin-invocation:` line (same format as /usr/local/bin/standin-invocation)."""
    if sys.stderr.isatty():
        return
    line = {"image": image or os.environ.get("STANDIN_IMAGE", "unknown"),
            "argv": list(sys.argv[1:] if argv is None else argv), "uid": os.getuid()}
    print("standin-invocation: " + json.dumps(line), file=sys.stderr, flush=True)


def exit_on_term():
    """A python PID 1 gets no default SIGTERM action: without this `docker stop` waits 10 s."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))


def log(msg, stream=None):
    print(time.strftime("%Y-%m-%d %H:%M:%S ") + msg, file=stream or sys.stderr, flush=True)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve_lines(port, handle, host="0.0.0.0"):
    """Serve a line protocol on host:port: handle(line) -> reply line (str) or None to close."""
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for raw in self.rfile:
                reply = handle(raw.decode("utf-8", "replace").rstrip("\r\n"))
                if reply is None:
                    return
                self.wfile.write((reply + "\n").encode())
    return Server((host, port), Handler)


def request_line(host, port, line, timeout=3.0):
    """Send one line, return the first reply line (raises OSError when nobody answers)."""
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall((line + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode("utf-8", "replace").rstrip("\r\n")


def split_hostport(value, default_port):
    host, _, port = value.strip().rpartition(":") if ":" in value else (value, "", str(default_port))
    return host or value, int(port or default_port)
