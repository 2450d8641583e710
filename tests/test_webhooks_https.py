"""The pinned HTTPS connection (tracker/webhook_addresses.py): a real TLS receiver on loopback
with a certificate for its name; the sender connects to the checked IP, sends the name in
SNI and the Host header, and checks the certificate against that name."""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tracker.webhook_addresses import check_address, post


def certificate(tmp_path, name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path):
    cert_file, key_file = certificate(tmp_path, "hooks.receiver.test")
    seen = {"sni": None, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen["requests"].append((self.path, self.headers["Host"], body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)

    def remember_sni(sock, name, context):
        seen["sni"] = name

    server_context.sni_callback = remember_sni
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(cert_file))
    yield server.server_address[1], client_context, seen
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_ip_with_the_name_in_sni_and_host(tls_receiver):
    port, context, seen = tls_receiver
    target = check_address(
        f"https://hooks.receiver.test:{port}/in",
        allow_loopback=True,
        resolve=lambda host, p: ["127.0.0.1"],
    )
    assert target.ip == "127.0.0.1"
    answer = post(
        target,
        b"{}",
        {"Content-Type": "application/json"},
        connect_timeout=2,
        read_timeout=2,
        context=context,
    )
    assert answer.status == 204
    assert seen["sni"] == "hooks.receiver.test"
    assert seen["requests"] == [("/in", f"hooks.receiver.test:{port}", b"{}")]


def test_a_certificate_for_another_name_is_refused(tls_receiver):
    port, context, seen = tls_receiver
    target = check_address(
        f"https://other.receiver.test:{port}/in",
        allow_loopback=True,
        resolve=lambda host, p: ["127.0.0.1"],
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        post(target, b"{}", {}, connect_timeout=2, read_timeout=2, context=context)
    assert seen["requests"] == []
