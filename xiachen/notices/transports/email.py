"""E-mail over SMTP with TLS: STARTTLS (usually port 587) or implicit TLS, SMTPS (port 465).

The server's certificate is always verified (system CAs, or `ca_file` for a private CA); plain
SMTP is not offered. 4xx answers are retried, 5xx answers for a recipient are final.
"""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from .base import TIMEOUT_SECONDS, TransportError


class SmtpEmail:
    """Config keys: host, port, security ("starttls" or "ssl"), username, password, from_address,
    ca_file (optional)."""

    provider = "smtp"

    def __init__(self, config: dict):
        self.config = config
        if config.get("security", "starttls") not in ("starttls", "ssl"):
            raise ValueError("email security must be starttls or ssl")

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.get("ca_file") or None)

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["host"], int(self.config["port"])
        if self.config.get("security", "starttls") == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=self._context())
        connection = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        connection.starttls(context=self._context())
        return connection

    def send_mail(self, *, to: str, subject: str, text: str) -> str:
        """Send one message; returns its Message-ID. Raises TransportError."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.config["from_address"], to, subject
        message["Message-ID"] = make_msgid(domain=self.config["from_address"].rpartition("@")[2] or None)
        message.set_content(text)
        try:
            with self._connect() as connection:
                if self.config.get("username"):
                    connection.login(self.config["username"], self.config["password"])
                connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code = next(iter(error.recipients.values()))[0]
            raise TransportError(f"smtp {code}: recipient refused", retry=code < 500) from None
        except smtplib.SMTPResponseException as error:
            raise TransportError(f"smtp {error.smtp_code}", retry=error.smtp_code < 500) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise TransportError(f"smtp: {type(error).__name__}", retry=True) from None
        return message["Message-ID"]
