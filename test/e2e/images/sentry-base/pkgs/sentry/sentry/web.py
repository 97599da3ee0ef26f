"""`sentry run web`: the HTTP endpoints an installer's smoke test uses.

/_health/ (and ?full), / -> /auth/login/ -> /auth/login/sentry/ (form with csrfmiddlewaretoken),
login with the stored password hash (session cookie `sentrysid`, CSRF cookie `sc`), the page with
window.__initialData, /api/0/projects/<org>/<project>/keys/ and .../events/<id>/, and the event
store endpoint /api/<project>/store/ (events are saved by `run worker`, as in real Sentry).
"""
import base64
import email.parser
import html
import importlib
import json
import re
import secrets
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sentry import VERSION, db, tasks

PROTOCOLS = ("2.0", "3", "4", "5", "6", "7")
LOGIN_ERROR = "Please enter a correct username and password. Note that both fields may be case-sensitive."


def settings():
    from django.conf import settings as s
    return s


class APIError(Exception):
    def __init__(self, status, message):
        super(APIError, self).__init__(message)
        self.status, self.message = status, message


class Handler(BaseHTTPRequestHandler):
    server_version = "uWSGI"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # ---- plumbing
    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=(), cookies=()):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        for c in cookies:
            self.send_header("Set-Cookie", c)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, data, headers=()):
        self.send(status, json.dumps(data, separators=(",", ":")), "application/json", headers)

    def redirect(self, location, cookies=()):
        self.send(302, b"", headers=(("Location", location),), cookies=cookies)

    def log_message(self, fmt, *args):
        tasks.echo("[pid: 1] %s () {} [%s] %s" % (self.client_address[0], time.strftime("%c"), fmt % args), err=True)

    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                out[k] = v
        return out

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def is_secure(self):
        header = settings().SECURE_PROXY_SSL_HEADER
        return bool(header) and self.headers.get(header[0][5:].replace("_", "-")) == header[1]

    def host(self):
        s = settings()
        return (s.USE_X_FORWARDED_HOST and self.headers.get("X-Forwarded-Host")) or self.headers.get("Host") or ""

    def cookie(self, name, value, secure):
        return "%s=%s; HttpOnly; Path=/%s" % (name, value, "; Secure" if secure else "")

    # ---- sessions / auth
    def current_user(self):
        from sentry.models import User
        key = self.cookies().get(settings().SESSION_COOKIE_NAME)
        if not key:
            return None
        rows = db.query("SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > now()", (key,))
        if not rows:
            return None
        uid = json.loads(base64.b64decode(rows[0][0])).get("_auth_user_id")
        return User.objects.filter(id=int(uid), is_active=True).first() if uid else None

    def csrf_error(self, token):
        s = settings()
        if self.is_secure():
            referer = self.headers.get("Referer")
            if not referer:
                return "Referer checking failed - no Referer."
            good = "https://%s/" % self.host()
            if urlsplit(referer)[:2] != urlsplit(good)[:2]:
                return "Referer checking failed - %s does not match %s." % (referer, good)
        cookie = self.cookies().get(s.CSRF_COOKIE_NAME)
        if not cookie:
            return "CSRF cookie not set."
        if token != cookie:
            return "CSRF token missing or incorrect."
        return None

    # ---- dispatch
    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def dispatch(self):
        url = urlsplit(self.path)
        path, query = url.path, url.query
        try:
            if path == "/_health/":
                return self.health("full" in parse_qs(query, keep_blank_values=True))
            m = re.match(r"^/api/(?:(\d+)/)?store/$", path)
            if m:
                return self.store(m.group(1), query)
            if path.startswith("/api/0/"):
                return self.api(path[len("/api/0/"):], query)
            return self.page(path)
        except Exception as e:  # like Django with DEBUG off: a 500 page, the traceback in the log
            import traceback
            traceback.print_exc()
            self.send(500, "<h1>Server Error (500)</h1><!-- %s -->" % html.escape(type(e).__name__))

    def health(self, full):
        if not full:
            return self.send(200, "ok", "text/plain")
        problems, healthy = tasks.health_problems()
        self.send(500 if problems else 200, json.dumps({"problems": problems, "healthy": healthy}), "application/json")

    # ---- pages
    def page(self, path):
        user = self.current_user()
        if path == "/":
            return self.redirect("/organizations/sentry/issues/" if user else "/auth/login/")
        if path == "/auth/login/" and self.command in ("GET", "HEAD"):
            if settings().SENTRY_SINGLE_ORGANIZATION:
                return self.redirect("/auth/login/sentry/")
            return self.login_page(None)
        if re.match(r"^/auth/login/([\w-]+/)?$", path):
            if self.command == "POST":
                return self.login()
            return self.redirect("/organizations/sentry/issues/") if user else self.login_page(None)
        if path == "/auth/logout/":
            return self.redirect("/auth/login/", cookies=[settings().SESSION_COOKIE_NAME + "=; Path=/; Max-Age=0"])
        if re.match(r"^/(organizations/[\w-]+/issues/|[\w-]+/)$", path):
            return self.app_page(user) if user else self.redirect("/auth/login/")
        return self.send(404, "<h1>Not Found</h1>")

    def initial_data(self, user):
        data = {"isAuthenticated": bool(user), "singleOrganization": settings().SENTRY_SINGLE_ORGANIZATION,
                "version": {"current": VERSION, "build": VERSION}, "user": None}
        if user:
            data["user"] = {"id": str(user.id), "username": user.username, "email": user.email, "name": user.name,
                            "isActive": user.is_active, "isSuperuser": user.is_superuser,
                            "isManaged": user.is_managed, "hasPasswordAuth": user.has_usable_password()}
        return "<script>window.__initialData = %s;</script>" % json.dumps(data, separators=(",", ":"))

    def login_page(self, error, status=200):
        s = settings()
        token = self.cookies().get(s.CSRF_COOKIE_NAME) or secrets.token_hex(16)
        body = "\n".join([
            "<!DOCTYPE html>", "<html><head><title>Login | Sentry</title></head><body>",
            "<div class='alert alert-error'>%s</div>" % error if error else "",
            "<form action='' method='post'>",
            "  <input type='hidden' name='csrfmiddlewaretoken' value='%s' />" % token,
            "  <input type='hidden' name='op' value='login' />",
            "  <input name='username' />", "  <input type='password' name='password' />",
            "  <button type='submit'>Continue</button>", "</form>", self.initial_data(None), "</body></html>"])
        self.send(status, body, cookies=[self.cookie(s.CSRF_COOKIE_NAME, token, s.CSRF_COOKIE_SECURE)])

    def app_page(self, user):
        self.send(200, "<!DOCTYPE html><html><head><title>Sentry</title></head><body>%s</body></html>"
                  % self.initial_data(user))

    def form(self):
        raw, ctype = self.body(), self.headers.get("Content-Type") or ""
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser().parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            return {p.get_param("name", header="content-disposition"): p.get_payload(decode=True).decode("utf-8")
                    for p in msg.get_payload() if p.get_param("name", header="content-disposition")}
        return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}

    def login(self):
        from sentry.models import User
        s = settings()
        data = self.form()
        error = self.csrf_error(data.get("csrfmiddlewaretoken"))
        if error:
            return self.send(403, "<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted."
                                  "</p><p>%s</p>" % html.escape(error))
        for path in s.AUTHENTICATION_BACKENDS:  # Django imports every backend on login
            module, _, attr = path.rpartition(".")
            if not module.startswith(("sentry.utils.auth", "django.contrib.auth")):
                getattr(importlib.import_module(module), attr)
        if data.get("op") != "login":
            return self.login_page(None)
        name = (data.get("username") or "").strip()
        user = User.objects.filter(username__iexact=name, is_active=True).first() or \
            User.objects.filter(email__iexact=name, is_active=True).first()
        if not user or not user.check_password(data.get("password") or ""):
            return self.login_page(LOGIN_ERROR)
        key = secrets.token_hex(16)
        session = base64.b64encode(json.dumps({"_auth_user_id": str(user.id)}).encode()).decode()
        db.query("INSERT INTO django_session (session_key, session_data, expire_date) "
                 "VALUES (%s, %s, now() + interval '14 days')", (key, session))
        db.query("UPDATE " + User.table + " SET last_login = now() WHERE id = %s", (user.id,))
        self.redirect("/organizations/sentry/issues/",
                      cookies=[self.cookie(s.SESSION_COOKIE_NAME, key, s.SESSION_COOKIE_SECURE)])

    # ---- API
    def api(self, path, query):
        from sentry.models import Event, Organization, Project, ProjectKey
        user = self.current_user()
        if path == "":
            return self.send_json(200, {"version": "0", "user": user and {"id": str(user.id)}, "auth": None})
        if not user:
            return self.send_json(401, {"detail": "Authentication credentials were not provided."})
        if self.command not in ("GET", "HEAD") and self.csrf_error(self.headers.get("X-CSRFToken")):
            return self.send_json(403, {"detail": "CSRF Failed: CSRF token missing or incorrect."})
        if path.startswith("internal/options/"):
            if not user.is_superuser:
                return self.send_json(403, {"detail": "You do not have permission to perform this action."})
            self.body()
            return self.send_json(200, {})
        m = re.match(r"^projects/([\w-]+)/([\w-]+)/(keys|events/(\w+))/$", path)
        org = m and Organization.objects.filter(slug=m.group(1)).first()
        project = org and Project.objects.filter(organization=org, slug=m.group(2)).first()
        if not project:
            return self.send_json(404, {"detail": "The requested resource does not exist"})
        if m.group(3) == "keys":
            prefix = settings().SENTRY_OPTIONS.get("system.url-prefix") or "http://%s" % self.host()
            return self.send_json(200, [{
                "dsn": {"secret": k.get_dsn(prefix, public=False), "public": k.get_dsn(prefix)},
                "id": k.public_key, "name": k.label or "Default", "label": k.label or "Default",
                "public": k.public_key, "secret": k.secret_key, "projectId": project.id, "isActive": k.status == 0,
                "dateCreated": k.date_added.isoformat() if k.date_added else None,
            } for k in ProjectKey.objects.filter(project=project)])
        event = Event.objects.filter(project=project, message_id=m.group(4)).first()
        if not event:
            return self.send_json(404, {"detail": "Event not found"})
        data = json.loads(event.data or "{}")
        self.send_json(200, {"id": str(event.id), "eventID": event.message_id, "groupID": str(event.group_id),
                             "message": event.message, "title": event.message, "platform": event.platform,
                             "dateCreated": event.datetime.isoformat(), "context": data.get("extra") or {},
                             "tags": data.get("tags") or [], "projectID": str(project.id)})

    # ---- event store
    def store(self, project_id, query):
        try:
            event_id = self.store_event(project_id, query)
        except APIError as e:
            return self.send_json(e.status, {"error": e.message}, headers=(("X-Sentry-Error", e.message),))
        self.send_json(200, {"id": event_id}, headers=(("X-Sentry-ID", event_id),))

    def auth(self, query):
        found = []
        for header in (self.headers.get("X-Sentry-Auth"), self.headers.get("Authorization")):
            if header and header.lower().startswith("sentry "):
                found.append(dict((k.strip(), v.strip()) for k, _, v in
                                  (p.partition("=") for p in header[7:].split(",")) if k.strip()))
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        if q.get("sentry_key"):
            found.append(q)
        if len(found) > 1:
            raise APIError(400, "Multiple authentication payloads were detected.")
        if not found or not found[0].get("sentry_key"):
            raise APIError(401, "Unable to find authentication information")
        return found[0]

    def store_event(self, project_id, query):
        from sentry.models import ProjectKey
        if self.command != "POST":
            raise APIError(405, "Method not allowed")
        auth = self.auth(query)
        if auth.get("sentry_version") not in PROTOCOLS:
            raise APIError(400, "Client using unsupported server protocol version ('%s')" % auth.get("sentry_version"))
        key = ProjectKey.objects.filter(public_key=auth["sentry_key"]).first()
        if key is None or auth.get("sentry_secret") and auth["sentry_secret"] != key.secret_key:
            raise APIError(401, "Invalid api key")
        if key.status != 0:
            raise APIError(401, "API key is disabled")
        if project_id and int(project_id) != key.project_id:
            raise APIError(400, "Two different projects were specified")
        raw = self.body()
        try:
            if self.headers.get("Content-Encoding") in ("deflate", "gzip"):
                raw = zlib.decompress(raw, 47)
            elif raw[:1] not in (b"{", b" ", b"\n"):
                raw = zlib.decompress(base64.b64decode(raw))
            data = json.loads(raw.decode("utf-8"))
            assert isinstance(data, dict)
        except Exception as e:
            raise APIError(400, "Bad data decoding request (%s, %s)" % (type(e).__name__, e))
        event_id = str(data.get("event_id") or "")
        if not re.match(r"^[0-9a-f]{32}$", event_id):
            event_id = uuid.uuid4().hex
        tasks.enqueue("sentry.tasks.store.save_event", project_id=key.project_id, event_id=event_id, data=data)
        return event_id


def serve(host, port):
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    tasks.log("*** Starting uWSGI (sentry %s stand-in) on http://%s:%d/" % (VERSION, host, port))
    server.serve_forever()
