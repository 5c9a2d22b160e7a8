"""A real multi-process Odoo server for the concurrency tests.

A test class mixes ``MultiWorkerServerMixin`` into a ``TransactionCase`` and commits its data in
``_commit_data``; the mixin then starts ``odoo-bin --workers=2`` on the same database, and the
tests fire simultaneous JSON-RPC calls from separate sessions (``_session``, ``_fire``) and read
the outcome from the database (``_query``) and the server log (``_server_errors``).
"""

import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

import odoo
from odoo.tools import config

_logger = logging.getLogger(__name__)

SERVER_START_SECONDS = 120
CALL_SECONDS = 300


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MultiWorkerServerMixin:
    """Commits the class's data (``_commit_data``, with ``cls.suffix`` for unique names), then
    runs ``odoo-bin --workers=2`` on the test database for the class's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.suffix = uuid.uuid4().hex[:6]
        cls.db = cls.env.cr.dbname
        cls._commit_data()
        cls._start_server()

    @classmethod
    def tearDownClass(cls):
        cls._stop_server()
        super().tearDownClass()

    @classmethod
    def _commit_data(cls):
        """Create and commit (``with cls.registry.cursor()``) what the server's workers use."""
        raise NotImplementedError

    # ------------------------------------------------------------------
    # The server
    # ------------------------------------------------------------------
    @classmethod
    def _start_server(cls):
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
        cls.port = _free_port()
        cls.base_url = f"http://127.0.0.1:{cls.port}"
        handle, cls.server_log = tempfile.mkstemp(prefix="of-concurrency-", suffix=".log")
        os.close(handle)
        command = [
            sys.executable,
            odoo_bin,
            "--workers=2",
            "--max-cron-threads=0",
            "--database",
            cls.db,
            "--db-filter",
            f"^{re.escape(cls.db)}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(cls.port),
            "--gevent-port",
            str(_free_port()),
            "--addons-path",
            config["addons_path"],
            "--data-dir",
            config["data_dir"],
            "--limit-time-real",
            str(CALL_SECONDS),
            "--limit-time-cpu",
            str(CALL_SECONDS),
            "--log-level",
            "info",
            "--logfile",
            cls.server_log,
        ]
        for option in ("db_host", "db_port", "db_user", "db_password", "db_sslmode"):
            if config.get(option):
                command += [f"--{option}", str(config[option])]
        # Without the PG* variables of the test run's wrappers deciding anything else.
        cls.server = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                break
            try:
                if requests.get(f"{cls.base_url}/web/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException as exc:
                _logger.debug("the server does not answer yet: %s", exc)
            time.sleep(0.5)
        log = cls._server_log_tail()
        cls._stop_server()
        raise RuntimeError(f"The Odoo server with 2 workers did not start; its log ends with:\n{log}")

    @classmethod
    def _stop_server(cls):
        server = getattr(cls, "server", None)
        if server is None or server.poll() is not None:
            return
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)

    @classmethod
    def _server_log_tail(cls, lines=40):
        try:
            with open(cls.server_log, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def _server_errors(self):
        """ERROR and CRITICAL records of the server log (a traceback starts with one), except the
        failed query of a serialization failure that Odoo retried: its record holds PostgreSQL's
        "could not serialize access" and the next record of the same process is the retry. Both
        workers write to the log, so the other one's records may come in between."""
        with open(self.server_log, encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
        header = re.compile(r"^\S+ \S+ (\d+) ([A-Z]+) ")
        records = []  # [pid, level, text]: a record's text runs until the next header line
        for line in lines:
            match = header.match(line)
            if match:
                records.append([match[1], match[2], line])
            elif records:
                records[-1][2] += line
        errors = []
        for index, (pid, level, text) in enumerate(records):
            if level not in ("ERROR", "CRITICAL"):
                continue
            if " odoo.sql_db: bad query: " in text and "could not serialize access" in text:
                following = next((record for record in records[index + 1 :] if record[0] == pid), None)
                if following and "SERIALIZATION_FAILURE" in following[2]:
                    continue
            errors.append(text.splitlines()[0])
        retries = sum("SERIALIZATION_FAILURE" in line for line in lines)
        _logger.info("server log: %d serialization failures retried by Odoo so far", retries)
        return errors

    # ------------------------------------------------------------------
    # JSON-RPC
    # ------------------------------------------------------------------
    def _session(self, login):
        session = requests.Session()
        response = session.post(
            f"{self.base_url}/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"db": self.db, "login": login, "password": login},
            },
            timeout=CALL_SECONDS,
        )
        body = response.json()
        self.assertFalse(body.get("error"), f"{login} cannot log in: {body.get('error')}")
        self.assertEqual(body["result"]["uid"] and body["result"]["username"], login)
        return session

    def _fire(self, calls):
        """Send every (session, model, method, args) at the same moment, each in its own thread.

        :return: the JSON-RPC answers, in the order of ``calls``
        """
        barrier = threading.Barrier(len(calls))
        answers = [None] * len(calls)

        def send(index, session, model, method, args):
            payload = {
                "jsonrpc": "2.0",
                "method": "call",
                "id": index,
                "params": {"model": model, "method": method, "args": args, "kwargs": {}},
            }
            barrier.wait(timeout=60)
            try:
                response = session.post(
                    f"{self.base_url}/web/dataset/call_kw/{model}/{method}",
                    json=payload,
                    timeout=CALL_SECONDS,
                )
                answers[index] = response.json()
            except (requests.RequestException, ValueError) as exc:
                answers[index] = {"transport_error": repr(exc)}

        threads = [threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(CALL_SECONDS + 60)
        _logger.info("fired %d simultaneous calls: %s", len(calls), answers)
        return answers

    def _query(self, query, params=()):
        with self.registry.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
