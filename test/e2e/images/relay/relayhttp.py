"""HTTP side of the relay stand-in: health checks, everything else forwarded to the upstream."""
import http.client
import http.server
import json
import re
import socket
import urllib.parse
import uuid

import standin

HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length", "upgrade"}


def sentry_key(headers, query):
    auth = headers.get("X-Sentry-Auth") or headers.get("Authorization") or ""
    m = re.search(r"sentry_key=([^,\s]+)", auth) or re.search(r"(?:^|&)sentry_key=([^&]+)", query)
    return m.group(1) if m else None


def serve(host, port, upstream):
    up = urllib.parse.urlsplit(upstream)
    up_port = up.port or (443 if up.scheme == "https" else 80)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send(self, status, body, ctype="application/json", headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            path, _, query = self.path.partition("?")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if path == "/api/relay/healthcheck/live/":
                return self.send(200, {"is_healthy": True})
            if path == "/api/relay/healthcheck/ready/":
                try:
                    socket.create_connection((up.hostname, up_port), timeout=2).close()
                    return self.send(200, {"is_healthy": True})
                except OSError:
                    return self.send(503, {"is_healthy": False})
            is_store = re.match(r"^/api/(\d+/)?(store|envelope)/$", path)
            if is_store and not sentry_key(self.headers, query):
                return self.send(401, {"detail": "bad x-sentry-auth header",
                                       "causes": ["missing authorization information"]})
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = self.headers.get("Host", up.hostname)
            try:
                conn_cls = http.client.HTTPSConnection if up.scheme == "https" else http.client.HTTPConnection
                conn = conn_cls(up.hostname, up_port, timeout=10)
                conn.request(self.command, up.path.rstrip("/") + self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                extra = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP | {"content-type"}]
                self.send(resp.status, data, resp.getheader("Content-Type", "application/json"), extra)
                conn.close()
            except OSError as exc:
                if is_store:  # relay accepts and queues when the upstream is away
                    standin.log("upstream %s unreachable (%s); event queued" % (upstream, exc))
                    return self.send(200, {"id": uuid.uuid4().hex})
                self.send(502, {"detail": "could not send request to upstream", "causes": [str(exc)]})

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

        def log_message(self, fmt, *args):
            standin.log("relay: %s - %s" % (self.address_string(), fmt % args))

    standin.exit_on_term()
    server = http.server.ThreadingHTTPServer((host, port), Handler)
    standin.log("relay stand-in listening on http://%s:%d/, upstream %s" % (host, port, upstream))
    server.serve_forever()
