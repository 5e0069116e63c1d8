"""A real IMAP server for tests: Debian's Dovecot (`make test` installs the package
dovecot-imapd), with a throw-away configuration in a temporary folder, implicit TLS
on a free port of 127.0.0.1 with a trustme certificate, one user whose password is
given, stopped afterwards. The mailbox belongs to an unprivileged user: as root the
package's `dovecot` user (Dovecot refuses mail access as root), else whoever runs
the tests, which Dovecot then runs as entirely."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain
default_login_user = {user}
default_internal_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


@dataclass
class ImapServer:
    """Where the server listens, its user and password, and the CA to trust."""

    port: int
    user: str
    password: str
    cafile: Path

    def url(self, mailbox: str = "INBOX") -> str:
        return f"imaps://{self.user}@127.0.0.1:{self.port}/{mailbox}"

    def client(self):  # imaplib.IMAP4_SSL, logged in
        import imaplib

        context = ssl.create_default_context(cafile=str(self.cafile))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=10)
        client.login(self.user, self.password)
        return client


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dovecot(password: str = "imap-test-password") -> Iterator[ImapServer]:
    """A running Dovecot with user `bounces`; stopped and removed afterwards."""
    import trustme

    if not Path(DOVECOT).exists():
        raise RuntimeError("Dovecot is not installed; `make test` installs it (Debian "
                           "package dovecot-imapd)")
    account = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.getuid())
    root = Path(tempfile.mkdtemp(prefix="feedkit-imap-"))
    port = _free_port()
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(root / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "users").write_text(f"bounces:{{PLAIN}}{password}::::::\n", encoding="utf-8")
    (root / "dovecot.conf").write_text(CONFIG.format(
        root=root, user=account.pw_name, uid=account.pw_uid, gid=account.pw_gid, port=port),
        encoding="utf-8")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    if os.geteuid() == 0:
        for path in (root, *root.rglob("*")):
            shutil.chown(path, account.pw_uid, account.pw_gid)
    command = [DOVECOT, "-F", "-c", str(root / "dovecot.conf")]
    with (root / "stderr").open("wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                said = "".join(path.read_text(errors="replace")[-2000:] for path in
                               (root / "dovecot.log", root / "stderr") if path.exists())
                raise RuntimeError(f"dovecot did not start: {said}")
            time.sleep(0.05)
        yield ImapServer(port, "bounces", password, root / "ca.pem")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
