"""Real identity servers for the tests, started once per test session on free loopback ports.

- OpenLDAP `slapd` (Debian's slapd package) with a throw-away slapd.conf and mdb database, loaded
  with tests/fixtures/directory.ldif by slapadd before it starts.
- node-oidc-provider (tests/identity/provider, installed by `npm ci`), an OpenID Connect provider
  with its own login page.

A missing server is an error, never a skip.
"""

import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=xiachen,dc=test"
READER_DN, READER_PASSWORD = f"cn=reader,{SUFFIX}", "reader-secret"
CLIENT_ID, CLIENT_SECRET = "xiachen", "xiachen-test-secret"

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {tmp}/slapd.pid
argsfile {tmp}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
directory {tmp}/data
TLSCACertificateFile {tmp}/ca.pem
TLSCertificateFile {tmp}/server.pem
TLSCertificateKeyFile {tmp}/server.key
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}", pytrace=False)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"{what} did not listen on port {port}", pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass(frozen=True)
class Slapd:
    url: str  # ldap:// (plain, and StartTLS)
    ldaps_url: str  # ldaps://
    ca_file: str  # the CA that signed the server's certificate (for 127.0.0.1)

    def __str__(self) -> str:
        return self.url


def _certificates(tmp: Path) -> None:
    """A throw-away CA and a server certificate for 127.0.0.1, as PEM files in `tmp`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xiachen test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                             critical=False)
              .sign(ca_key, hashes.SHA256()))
    (tmp / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (tmp / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Slapd:
    """A running slapd holding the test directory, plain/StartTLS and ldaps, on loopback ports."""
    if not Path(SLAPD).exists():
        pytest.fail("slapd is not installed (apt-get install slapd ldap-utils)", pytrace=False)
    tmp = tmp_path_factory.mktemp("slapd")
    (tmp / "data").mkdir()
    conf = tmp / "slapd.conf"
    _certificates(tmp)
    conf.write_text(SLAPD_CONF.format(tmp=tmp, suffix=SUFFIX))
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(FIXTURES / "directory.ldif")], check=True,
                   capture_output=True)
    port, tls_port = free_port(), free_port()
    server = Slapd(f"ldap://127.0.0.1:{port}", f"ldaps://127.0.0.1:{tls_port}", str(tmp / "ca.pem"))
    # -d 0: stay in the foreground (a child we can stop), logging nothing.
    process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", f"{server.url}/ {server.ldaps_url}/", "-d", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port, process, "slapd")
    _wait_for_port(tls_port, process, "slapd (ldaps)")
    yield server
    _stop(process)


@pytest.fixture(scope="session")
def oidc_provider() -> str:
    """The issuer URL (http://127.0.0.1:<port>) of a running node-oidc-provider."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not installed (apt-get install nodejs npm)", pytrace=False)
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail(f"run `npm ci` in {PROVIDER_DIR} (bin/test does)", pytrace=False)
    port = free_port()
    process = subprocess.Popen([node, "provider.js", str(port)], cwd=PROVIDER_DIR,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port, process, "the OpenID Connect provider")
    yield f"http://127.0.0.1:{port}"
    _stop(process)


def oidc_settings(settings, issuer: str, **overrides) -> None:
    """Point the site at the test provider (the endpoints node-oidc-provider publishes)."""
    values = {
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{issuer}/auth",
        "OIDC_OP_TOKEN_ENDPOINT": f"{issuer}/token",
        "OIDC_OP_USER_ENDPOINT": f"{issuer}/me",
        "OIDC_OP_JWKS_ENDPOINT": f"{issuer}/jwks",
        "XIACHEN_OIDC_ISSUER": issuer,
        "XIACHEN_OIDC_UNIT_CLAIM": "unit_code",
        "XIACHEN_OIDC_GROUPS_CLAIM": "groups",
        "XIACHEN_OIDC_ROLE_MAP": {"community-manager": "unit_manager"},
    }
    for name, value in (values | overrides).items():
        setattr(settings, name, value)


def ldap_settings(settings, server: Slapd, **overrides) -> None:
    values = {
        "XIACHEN_LDAP_URL": server.url,
        "XIACHEN_LDAP_CA_FILE": server.ca_file,
        "XIACHEN_LDAP_BIND_DN": READER_DN,
        "XIACHEN_LDAP_BIND_PASSWORD": READER_PASSWORD,
        "XIACHEN_LDAP_USER_BASE": f"ou=people,{SUFFIX}",
        "XIACHEN_LDAP_ROLE_GROUPS": {f"cn=liaisons,ou=groups,{SUFFIX}": "agency_liaison"},
    }
    for name, value in (values | overrides).items():
        setattr(settings, name, value)
