/**
 * Makes S3 buckets with an expiry rule in the release's object store, from a one-off container of an image
 * that has python3 (the Sentry image), over the compose network: nothing is installed into the store's
 * container (the official installer runs `apk add s3cmd` in it, which needs the internet). The requests are
 * signed with AWS Signature V4 by the standard library alone.
 */

/** Reads {endpoint, accessKey, secretKey, buckets: [{name, days}]} as JSON on stdin; prints one line per bucket. */
export const S3_BUCKETS_PY = String.raw`
import datetime, hashlib, hmac, json, sys, urllib.error, urllib.parse, urllib.request

cfg = json.load(sys.stdin)
endpoint = cfg["endpoint"].rstrip("/")
host = urllib.parse.urlsplit(endpoint).netloc
region = "us-east-1"


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def request(method, path, query="", body=b""):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
    if body:
        headers["content-md5"] = __import__("base64").b64encode(hashlib.md5(body).digest()).decode()
    names = sorted(headers)
    canonical = "\n".join([method, path, query, "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names), payload])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = sign(sign(sign(sign(("AWS4" + cfg["secretKey"]).encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = f"AWS4-HMAC-SHA256 Credential={cfg['accessKey']}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    req = urllib.request.Request(endpoint + path + ("?" + query if query else ""), data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


status, listing = request("GET", "/")
if status != 200:
    sys.exit(f"listing the buckets failed: HTTP {status}: {listing[:300]}")
for b in cfg["buckets"]:
    name = b["name"]
    if f"<Name>{name}</Name>" in listing:
        print(f"bucket {name}: exists")
    else:
        status, text = request("PUT", f"/{name}")
        if status not in (200, 409):
            sys.exit(f"creating bucket {name} failed: HTTP {status}: {text[:300]}")
        print(f"bucket {name}: created")
    rule = (
        '<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration><Rule><ID>expiry</ID><Status>Enabled</Status>'
        f'<Filter></Filter><Expiration><Days>{int(b["days"])}</Days></Expiration></Rule></LifecycleConfiguration>'
    )
    status, text = request("PUT", f"/{name}", "lifecycle=", rule.encode())
    if status not in (200, 204):
        sys.exit(f"setting the expiry of bucket {name} failed: HTTP {status}: {text[:300]}")
    print(f"bucket {name}: objects expire after {int(b['days'])} days")
`;
