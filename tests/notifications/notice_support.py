"""Shared pieces of the notification tests: seed data, certificates, SMTP servers.

A module of its own (not conftest.py) so test files import it by a unique name.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import select
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from heateval.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = Path(__file__).with_name("smtp_server.py")
HOSTILE_NAME = "<script>alert(1)</script>\r\nBcc: victim@example.com 热力公司"
SMTP_USER = "heateval"
SMTP_PASSWORD = "s3cret-口令"
COUNTY = "150402"
SEASON = "2025-2026"


@dataclass
class SeededDb:
    """A database with one county, its committee and three enterprises."""

    url: str
    engine: Engine
    factory: sessionmaker[Session]
    hostile_id: int  # enterprise with a hostile name and contact name
    plain_id: int  # 松山热力有限公司, contact li@heat.example.cn
    refused_id: int  # contact refused@heat.example.cn


def seed(url: str) -> SeededDb:
    """Create every table and insert the reference rows the tests use."""
    import storage.models as models
    from storage.base import Base
    from storage.db import make_engine

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        session.add(
            models.County(
                code=COUNTY,
                name="红山区",
                bureau_name="红山区住房和城乡建设局",
                bureau_email="bureau@hongshan.example.cn",
                bureau_phone="0476-8888888",
                bureau_address="红山区示例路1号",
            )
        )
        session.flush()
        hostile = models.Enterprise(
            credit_code="91150402MA0000001X",
            name=HOSTILE_NAME,
            county_code=COUNTY,
            type="heating",
            contact_name="王五\r\nBcc: victim@example.com",
            contact_email="wang@heat.example.cn",
        )
        plain = models.Enterprise(
            credit_code="91150402MA00000020",
            name="松山热力有限公司",
            county_code=COUNTY,
            type="heating",
            contact_name="李四",
            contact_email="li@heat.example.cn",
        )
        refused = models.Enterprise(
            credit_code="91150402MA00000039",
            name="元宝山热电有限公司",
            county_code=COUNTY,
            type="heat_source",
            contact_name="赵六",
            contact_email="refused@heat.example.cn",
        )
        session.add_all([hostile, plain, refused])
        session.add_all(
            [
                models.Person(
                    name="陈委员",
                    role="committee",
                    county_code=COUNTY,
                    email="chen@committee.example.cn",
                ),
                models.Person(
                    name="退休委员",
                    role="committee",
                    county_code=COUNTY,
                    email="old@committee.example.cn",
                    active=False,
                ),
            ]
        )
        session.flush()
        ids = (hostile.id, plain.id, refused.id)
    return SeededDb(url, engine, factory, *ids)


@dataclass(frozen=True)
class Certificates:
    """A test CA and a server certificate for 127.0.0.1, as PEM files."""

    ca: Path
    cert: Path
    key: Path


def make_certificates(folder: Path) -> Certificates:
    """Write a CA and a server certificate valid for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "heateval test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost"),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Certificates(
        folder / "ca.pem", folder / "server.pem", folder / "server.key"
    )
    paths.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class SmtpServerProcess:
    """A running `smtp_server.py` process and the folder it writes to."""

    process: subprocess.Popen
    port: int
    folder: Path

    def arrivals(self) -> list[dict]:
        """Return every message the server accepted, in order, duplicates included."""
        log = self.folder / "arrivals.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text("utf-8").splitlines()]

    def message_id_counts(self) -> Counter:
        """Count how many times each Message-ID arrived."""
        return Counter(item["message_id"] for item in self.arrivals())

    def stored(self) -> list[Path]:
        """Return the `.eml` files in arrival order."""
        return sorted(
            self.folder.glob("*.eml"), key=lambda p: int(p.name.split("-")[0])
        )

    def messages(self) -> list[EmailMessage]:
        """Parse the stored messages with the modern policy, which decodes headers."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in self.stored()]

    def stop(self) -> None:
        """Stop the process by its handle and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server_process(
    folder: Path,
    certificates: Certificates,
    extra: tuple[str, ...] = (),
    *,
    tls: bool = True,
    auth: bool = True,
) -> SmtpServerProcess:
    """Start `smtp_server.py` writing to `folder`; returns once it listens."""
    command = [sys.executable, str(SERVER_SCRIPT), "--folder", str(folder)]
    if tls:
        command += [
            "--cert",
            str(certificates.cert),
            "--key",
            str(certificates.key),
        ]
    if auth:
        command += ["--user", SMTP_USER, "--password", SMTP_PASSWORD]
    command += list(extra)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("READY "):
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"SMTP server did not start within 30 s: {line!r}")
    return SmtpServerProcess(process, int(line.split()[1]), folder)


def smtp_settings(
    server: SmtpServerProcess,
    certificates: Certificates,
    *,
    tls: bool = True,
    auth: bool = True,
    **overrides,
) -> Settings:
    """Settings that reach `server` the way it was started."""
    values: dict = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_security": "starttls" if tls else "plain",
        "smtp_ca_file": certificates.ca if tls else None,
        "smtp_timeout": 5.0,
        "operator_emails": ["ops@chifeng.example.cn"],
    }
    if auth:
        values.update(smtp_username=SMTP_USER, smtp_password=SMTP_PASSWORD)
    values.update(overrides)
    return Settings(**values)


# Context values per notice kind, as the cycle would pass them.
HOSTILE = '<script>alert(1)</script>\r\nBcc: victim@example.com "热力"'

ENTERPRISE_CONTEXT = {
    "id": 1,
    "name": "松山热力有限公司",
    "credit_code": "91150402MA00000020",
    "type": "heating",
    "contact_name": "李四",
}
COUNTY_CONTEXT = {
    "code": "150402",
    "name": "红山区",
    "bureau_name": "红山区住房和城乡建设局",
    "bureau_email": "bureau@hongshan.example.cn",
    "bureau_phone": "0476-8888888",
    "bureau_address": "红山区示例路1号",
}
DEFECT = {
    "file": "tables/complaints.csv",
    "sheet": None,
    "row": 7,
    "column": "受理日期",
    "value": "2026-13-01",
    "rule": "date",
    "severity": "blocking",
    "message": "日期无效，请按 YYYY-MM-DD 填写",
}
SAMPLES = {
    "intake_opened": {"deadline": "2026-05-16"},
    "intake_reminder": {"deadline": "2026-05-16", "days_left": 3},
    "submission_received": {
        "version": 2,
        "package_name": "songshan.zip",
        "received_at": "2026-05-10T02:30:00+00:00",
        "late": False,
    },
    "defects_found": {"version": 2, "defects": [DEFECT], "resubmit_by": "2026-05-20"},
    "draft_result": {
        "base": "88.50",
        "bonus": "3.00",
        "deduction": "0.00",
        "total": "91.50",
        "grade": "A",
        "window_opens": "2026-06-01",
        "window_closes": "2026-06-08",
    },
    "publicity_opened": {
        "round": 1,
        "window_opens": "2026-06-01",
        "window_closes": "2026-06-08",
        "enterprise_count": 3,
    },
    "objection_received": {
        "objection_kind": "objection",
        "reference": "OBJ-1",
        "filed_on": "2026-06-03",
        "filed_by": "热用户 孙七",
        "grounds": "室温不达标",
        "reply_due": "2026-06-18",
    },
    "objection_verdict": {
        "reference": "OBJ-1",
        "verdict": "upheld",
        "reason": "室温记录有误",
        "decided_on": "2026-06-10",
        "new_total": "86.00",
        "new_grade": "B",
    },
    "republicity_opened": {
        "round": 2,
        "cause": "objection",
        "previous_total": "91.50",
        "previous_grade": "A",
        "total": "86.00",
        "grade": "B",
        "window_opens": "2026-06-11",
        "window_closes": "2026-06-18",
    },
    "appeal_reply": {
        "reference": "APL-1",
        "verdict": "rejected",
        "reason": "程序合规",
        "decided_on": "2026-06-12",
    },
    "county_report_due": {"report_due": "2026-06-15", "days_left": 5},
    "county_report_overdue": {"report_due": "2026-06-15", "days_overdue": 2},
    "county_reported": {
        "attempt": 1,
        "submitted_on": "2026-06-10",
        "summary": "参评企业5家：A级2家，B级2家，C级1家。",
        "report_due": "2026-06-15",
    },
    "county_returned": {
        "attempt": 1,
        "reasons": "投诉率计算有误",
        "returned_enterprises": [
            {"name": "松山热力有限公司", "credit_code": "91150402MA00000020"}
        ],
    },
    "final_result": {
        "total": "68.00",
        "grade": "D",
        "published_on": "2026-07-01",
        "follow_ups": ["key_supervision"],
        "rectification_deadline": "2026-08-30",
    },
    "results_reported": {
        "published_on": "2026-07-01",
        "grade_counts": {"A": 5, "B": 3, "D": 1},
        "counties": [{"name": "红山区", "enterprises": 9}],
    },
    "rectification_order": {
        "grade": "D",
        "issued_on": "2026-07-02",
        "deadline": "2026-08-31",
    },
    "rectification_reminder": {"deadline": "2026-08-31", "days_left": 7},
    "rectification_check_due": {"deadline": "2026-09-01", "days_overdue": 1},
    "rectification_outcome": {
        "outcome": "failed",
        "checked_on": "2026-09-01",
        "note": "锅炉改造未完成",
        "measures": ["licence_revocation", "emergency_takeover"],
    },
    "run_failed": {
        "stage": "score",
        "run_name": "score 2025-2026 150402",
        "error": "rulebook not found",
        "occurred_at": "2026-06-01T00:00:00+00:00",
    },
    "recipient_missing": {
        "notice_kind": "intake_opened",
        "audience": "enterprise",
        "what": "企业没有联系人邮箱",
        "fix": "补充联系人邮箱",
    },
}
