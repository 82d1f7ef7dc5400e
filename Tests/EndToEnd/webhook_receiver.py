"""A webhook receiver as the utility's service-management system would write one (issue 31; the
README's example is this one, shortened): it checks every signature and timestamp, keeps each
event once by its id, and answers 2xx only when the event is kept. The tests drive it: down (the
port closed), answering 500 to one protocol forever, and with a hook that plays the system."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret, headers, body, now=None, tolerance=300):
    """The check docs/INTEGRATION.md describes: HMAC-SHA256 of `<timestamp>.<body>` with the
    webhook's secret, `sha256=<hex>`, and a timestamp within `tolerance` seconds of our clock."""
    timestamp = headers.get("X-Agencia-Timestamp", "")
    given = headers.get("X-Agencia-Signature", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, expected)


class Receiver:
    def __init__(self, secret, on_event=None):
        self.secret = secret
        self.on_event = on_event  # called (in a thread of its own) with each new event
        self.lock = threading.Lock()
        self.events = {}  # id -> body, kept once
        self.deliveries = []  # (id, attempt, protocol) for every POST accepted, in arrival order, repeats included
        self.bad_signatures = 0
        self.failing = set()  # protocols answered 500
        self.fail_subject = None  # a request whose subject holds this: its protocol answered 500
        self.refused = []  # ids answered 500
        self.server = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/eventos"

    def start(self, port=0):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if not signature_ok(receiver.secret, self.headers, body):
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                event = json.loads(body)
                event_id = int(self.headers["X-Agencia-Event-Id"])
                with receiver.lock:
                    subject = (event.get("solicitacao") or {}).get("assunto", "")
                    if receiver.fail_subject and receiver.fail_subject in subject:
                        receiver.failing.add(event["protocolo"])
                    if event["protocolo"] in receiver.failing:
                        receiver.refused.append(event_id)
                        status = 500
                    else:
                        status = 204
                        new = event_id not in receiver.events
                        receiver.events[event_id] = event
                        receiver.deliveries.append((event_id, int(self.headers.get("X-Agencia-Attempt", "0")), event["protocolo"]))
                self.send_response(status)
                self.end_headers()
                if status == 204 and new and receiver.on_event:
                    threading.Thread(target=receiver.on_event, args=(event_id, event), daemon=True).start()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Closes the port: the agência's POSTs are refused, as when the system is down."""
        self.server.shutdown()
        self.server.server_close()

    def by_protocol(self):
        """Each protocol's events in the order they first arrived."""
        with self.lock:
            out, seen = {}, set()
            for event_id, _, protocol in self.deliveries:
                if event_id not in seen:
                    seen.add(event_id)
                    out.setdefault(protocol, []).append(self.events[event_id])
            return out
