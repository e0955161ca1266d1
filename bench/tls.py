"""Issue 16 goal 8 and the TLS half of goal 3: Zoom over TLS, pooled sessions against a fresh
connection per call, and how many TLS connections the server accepts.

The emulator is served over TLS by gunicorn (``--worker-class gthread``: sync workers close every
connection) with a throwaway CA and certificate made at run time in a temp dir; the product trusts it
through ``ZOOM_CA_BUNDLE``. A gunicorn config hook (``ssl_context``, called once per accepted
connection before its handshake) counts the TLS connections the server accepts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/tls.py \\
        [--count 100] [--worker-meetings 400] [--latency-ms 50] [--json results.jsonl]

1. (goal 8) In one process, interleaved: the product's reconcile of one interview with its pooled,
   kept-alive session, then one whose pool was dropped just before (so its one Zoom call opens a new
   TCP and TLS connection); the same for bare creates (one kept session, and a new session per call).
   Prints the mean per meeting of each and pooled / fresh, with the TLS connections each side opened.
   On loopback a round trip costs nothing, so the gap is the handshake's CPU only; against zoom.us
   from Tokyo each fresh connection also pays the TCP and TLS round trips.
2. (goal 3) ``--worker-meetings`` interviews through a real ``celery worker`` (prefork, 4 processes,
   configured as in production) over TLS, with the host's token expired first so that an OAuth refresh
   goes through the same pool. Counts the calls the emulator answered and the TLS connections it
   accepted: at most one per worker process per 100 calls.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import math
import os
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.harness import Load, Row, Timer

COUNTING_CONFIG = """
import os

COUNT_FILE = os.environ["HERP_BENCH_TLS_COUNT"]


def ssl_context(conf, default_ssl_context_factory):
    # gunicorn asks for a context for every connection it accepts, before the handshake: one byte each.
    fd = os.open(COUNT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"1")
    finally:
        os.close(fd)
    return default_ssl_context_factory()
"""


# requests lets these variables win over a session's ``verify`` (Session.merge_environment_settings):
# with either set, ZOOM_CA_BUNDLE is not used (verification then runs against their bundle). This
# machine sets both, so the processes of this benchmark run without them; see the README, Benchmarks.
CA_OVERRIDES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def without_ca_overrides(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name not in CA_OVERRIDES}


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate it signs for 127.0.0.1 and localhost: (CA, chain, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HERP benchmark throwaway CA")])
    ca = (
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
                digital_signature=False,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, chain_path, key_path = directory / "ca.pem", directory / "chain.pem", directory / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return ca_path, chain_path, key_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="meetings of each kind in the side-by-side")
    parser.add_argument("--worker-meetings", type=int, default=400, help="meetings through the worker (goal 3)")
    parser.add_argument("--processes", type=int, default=4, help="the worker's prefork processes")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--deadline", type=float, default=300)
    parser.add_argument("--json", help="append the result rows to this file (JSON lines)")
    args = parser.parse_args()
    if not 5 <= args.count <= 1000 or not 10 <= args.worker_meetings <= 5000:
        sys.exit("--count 5..1000, --worker-meetings 10..5000.")
    database_url = harness.require_database_url()

    with harness.Stack("tls") as stack, Load() as load:
        ca, chain, key = make_certificates(stack.tmp)
        count_file = stack.tmp / "tls-connections"
        count_file.touch()
        config = stack.tmp / "gunicorn_tls_count.py"
        config.write_text(COUNTING_CONFIG)

        def accepted() -> int:
            return count_file.stat().st_size

        port = harness.free_port()
        base = f"https://127.0.0.1:{port}"
        redis_url = stack.redis()
        scratch = stack.databases(database_url, "tls")
        tls_env = {"ZOOM_CA_BUNDLE": str(ca), "HERP_BENCH_TLS_COUNT": str(count_file)}
        env = without_ca_overrides(harness.dev_env(site_url=base, database_url=scratch, redis_url=redis_url, **tls_env))
        harness.migrate(env)
        harness.gunicorn(stack, env, port, workers=2, threads=8, tls=(chain, key), config=config)
        os.environ["REQUESTS_CA_BUNDLE"] = str(ca)  # the driver's own browser and bare clients
        harness.connect_and_link(base)
        harness.setup_django(env)

        from django.utils import timezone

        from herp.celery import app
        from integrations import tokens
        from integrations.models import ZoomGrant
        from integrations.zoom_api import http
        from zoom.meetings.reconcile import Outcome, meeting_reconcile
        from zoom.models import ZoomMeeting
        from zoom.tasks import meeting_reconcile_task
        from zoom_emulator import faults
        from zoom_emulator import meetings as zoom_side
        from zoom_emulator.models import Call

        zoom_side.set_daily_limit(1_000_000)
        faults.delay(args.latency_ms, times=None, endpoint="meetings.create")
        warm = 3
        ids = harness.save_interviews(2 * args.count + 2 * warm)
        grant_id = ZoomMeeting.objects.get(pk=ids[0]).host_grant_id
        assert grant_id is not None
        token = tokens.get_access_token(grant_id)
        url = f"{base}/zoom-emulator/v2/users/me/meetings"
        start_local = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() + 86400 * 60))
        kept = requests.Session()

        def bare(index: int, session: requests.Session) -> None:
            response = session.post(
                url,
                json=harness.bare_body(index, start_local),
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if response.status_code != 201:
                raise SystemExit(f"Bare create {index} answered {response.status_code}: {response.text[:200]}")

        def reconcile(meeting_id: int) -> None:
            if meeting_reconcile(meeting_id=meeting_id).outcome != Outcome.DONE:
                raise SystemExit(f"Reconcile of {meeting_id} did not finish.")

        for index in range(warm):
            bare(-index - 1, kept)
            reconcile(ids.pop())
            http.reset()
            reconcile(ids.pop())
        timers = {name: Timer() for name in ("reconcile pooled", "reconcile fresh", "bare pooled", "bare fresh")}
        opened = dict.fromkeys(timers, 0)
        for index in range(args.count):
            for name in timers:
                before = accepted()
                if name == "reconcile fresh":
                    http.reset()  # this process's pool dropped: the next call opens a new connection
                    with timers[name]():
                        reconcile(ids.pop())
                elif name == "reconcile pooled":
                    with timers[name]():
                        reconcile(ids.pop())
                elif name == "bare pooled":
                    with timers[name]():
                        bare(index, kept)
                else:
                    with timers[name](), requests.Session() as fresh:
                        bare(index, fresh)
                opened[name] += accepted() - before
        side_load = load.text()

        # Goal 3 through a real worker: its processes' pools, over TLS, with one OAuth refresh among the calls.
        worker_ids = harness.save_interviews(args.worker_meetings, offset=2 * args.count + 2 * warm)
        ZoomGrant.objects.filter(pk=grant_id).update(expires_at=timezone.now())
        worker_env = without_ca_overrides(
            harness.production_env(site_url=base, database_url=scratch, redis_url=redis_url, ZOOM_CA_BUNDLE=str(ca))
        )
        worker, hostname = harness.celery_worker(
            stack, worker_env, pool="prefork", concurrency=args.processes, name="worker-tls"
        )
        harness.wait_for_worker(app, hostname, worker)
        calls_before, connections_before = Call.objects.count(), accepted()
        tokens_before = Call.objects.filter(endpoint=faults.TOKEN_ENDPOINT).count()
        for meeting_id in worker_ids:
            meeting_reconcile_task.delay(meeting_id)
        done = ZoomMeeting.objects.filter(pk__in=worker_ids, status=ZoomMeeting.Status.CREATED)
        harness.wait_until(
            lambda: done.count() >= len(worker_ids), deadline=time.monotonic() + args.deadline, what="the worker"
        )
        calls = Call.objects.count() - calls_before
        worker_connections = accepted() - connections_before
        token_calls = Call.objects.filter(endpoint=faults.TOKEN_ENDPOINT).count() - tokens_before
        harness.stop(worker)
        faults.clear()

    mean = {name: timer.mean * 1000 for name, timer in timers.items()}
    print(f"over TLS, {args.count} of each, interleaved, +{args.latency_ms} ms on meetings.create:")
    for name in timers:
        print(f"  {name:17} mean {mean[name]:6.1f} ms   TLS connections opened: {opened[name]}")
    ratio = mean["reconcile pooled"] / mean["reconcile fresh"]
    print(f"  per meeting, pooled / fresh: reconcile {ratio:.3f}, bare {mean['bare pooled'] / mean['bare fresh']:.3f}")
    allowed = args.processes * max(1, math.ceil(calls / args.processes / 100))
    print(
        f"worker over TLS: {args.worker_meetings} meetings, {calls} calls answered by the emulator "
        f"({token_calls} of them to the token endpoint), {args.processes} worker processes: "
        f"{worker_connections} TLS connections accepted (at most {allowed}: one per process per 100 of its calls)"
    )
    harness.emit(
        [
            Row(
                goal="8 per meeting over TLS, pooled vs fresh",
                figure=f"{mean['reconcile pooled']:.1f} ms pooled",
                baseline=f"{mean['reconcile fresh']:.1f} ms fresh connection",
                ratio=ratio,
                target="printed side by side",
                met=None,
                load=side_load,
                note=(
                    f"bare creates {mean['bare pooled']:.1f} ms kept vs {mean['bare fresh']:.1f} ms new session; "
                    f"TLS connections opened: {opened['reconcile pooled']} pooled vs {opened['reconcile fresh']} fresh "
                    f"for {args.count} reconciles each"
                ),
            ),
            Row(
                goal="3 TLS connections per worker process",
                figure=f"{worker_connections} accepted / {calls} calls",
                baseline=f"{args.processes} processes",
                ratio=worker_connections / allowed,
                target="<= 1.00 (1 per process per 100 calls)",
                met=worker_connections <= allowed,
                load=load.text(),
                note=(
                    f"ratio = accepted / allowed ({allowed} = {args.processes} processes x "
                    f"ceil({calls} calls / {args.processes} / 100)); the calls include {token_calls} OAuth refresh"
                ),
            ),
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
