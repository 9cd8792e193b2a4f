#!/usr/bin/env python3
"""Crash test: SIGKILL sqsemu again and again under load and check that nothing
acknowledged is lost.

    python3 tests/crash/crash_test.py [BINARY] [--kills N] [--budget SECONDS] [--seed S]

BINARY defaults to $SQSEMU_BIN, then build/sqsemu. One data directory, one port, for the
whole run. Concurrently (threads, each with its own boto3 client, retries off):

  * producers send to a standard queue `work` (RedrivePolicy to `work-dlq`,
    maxReceiveCount 2, VisibilityTimeout 1 s; one producer speaks the query protocol),
    to a FIFO queue (several message groups, explicit deduplication ids, one sender so
    that each group's send order is defined) and to `fn-src`, the source of an enabled
    event-source mapping whose python function forwards every body to a `done` queue
    (fixtures/handlers/py_crash_forwarder);
  * consumers receive from `work` and the FIFO queue (all attributes), delete most
    messages and leave some (poison bodies are never deleted, so they reach the DLQ);
  * a mover starts message move tasks from the DLQ back to `work` (low rate, so tasks
    run across restarts);
  * a killer SIGKILLs the server at random moments, restarts it on the same data
    directory and port, and goes on.

A call that got no answer (connection refused/reset, timeout) has an unknown outcome:
it is never counted as acknowledged. After the last restart the workload stops, the
move tasks and the mapping are given time to finish, every queue is drained, and these
invariants are checked:

  lost          every acknowledged send is accounted for: a DeleteMessage of a message
                carrying its body was acknowledged (or had an unknown outcome), it was
                drained at the end, or (fn-src) its body reached the done queue;
  resurrected   a message whose DeleteMessage in a queue was acknowledged is not
                received from that queue by a receive that started afterwards;
  count         between two receives of one MessageId that do not overlap in time,
                ApproximateReceiveCount grows (a move task's copy is a new message with
                a new MessageId, as in SQS; a dead-letter move keeps the MessageId and
                the count);
  fifo-order    within a group, acknowledged messages are first received in send order
                (a later message can only be delivered after the earlier one was
                deleted, so its first receive ends before the later one's);
  move-task     every move task whose start was acknowledged reaches COMPLETED;
  unexpected    every received body is one that was sent;
  server        sqsemu never exits on its own, always comes up again on its data
                directory, and exits 0 on the SIGTERM at the end.

Before the run, a self-test feeds the checks made-up histories (one keeping every
invariant, one breaking each). tests/crash/run.sh also runs this test against a build
whose commits lie (-Dcrash_test_broken_commit=true), where it must report lost messages.

Exit status: 0 all invariants hold, 1 one failed, 2 the test itself could not run
(a budget too small for the kills, a failing self-test, a worker thread's exception).
"""
import argparse
import io
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "python"))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from query_model import query_session  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "000000000000"
FIXTURE = os.path.join(ROOT, "fixtures", "handlers", "py_crash_forwarder")

MAX_RECEIVE_COUNT = 2
FIFO_GROUPS = ["g0", "g1", "g2", "g3"]
POISON = "~p"           # bodies ending so are never deleted by the consumers
MOVE_RATE = 20          # MaxNumberOfMessagesPerSecond of the move tasks
MAX_MOVE_TASKS = 5      # ListMessageMoveTasks shows the 10 most recent


def now():
    return time.monotonic()


class HarnessError(Exception):
    """The test could not run (as opposed to an invariant failing)."""


class ServerFailed(Exception):
    """sqsemu crashed on its own, or would not come up again on its data directory: a
    failure of the server, reported as one."""


# ---- the server under test ---------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One sqsemu at a time on a fixed port and data directory; every process it starts
    is ended by its own PID."""

    def __init__(self, binary, data_dir, log_path):
        self.binary = binary
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.proc = None
        self.starts = 0

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=30.0):
        self.starts += 1
        with open(self.log_path, "a") as log:
            log.write("=== crash test: start %d ===\n" % self.starts)
            log.flush()
            self.proc = subprocess.Popen(
                [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", self.data_dir,
                 "--log-level", "warn"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = now() + timeout
        while now() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed("sqsemu exited with status %s on start %d" % (self.proc.returncode, self.starts))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.005)
        raise ServerFailed("sqsemu did not accept connections within %.0f s (start %d)" % (timeout, self.starts))

    def kill9(self):
        """SIGKILL by PID and reap."""
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self, timeout=10.0):
        """SIGTERM, bounded; returns the exit status ("timeout" if it had to be killed),
        or None when there was no running server."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return None
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
            return "timeout"

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def children_left(self):
        """PIDs of processes working in the data directory (function runtimes started by
        this run's servers)."""
        pids = []
        root = os.path.realpath(self.data_dir) + os.sep
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                cwd = os.readlink("/proc/%s/cwd" % entry)
            except OSError:
                continue
            if (cwd + os.sep).startswith(root):
                pids.append(int(entry))
        return pids


def make_config(read_timeout=10):
    return Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=read_timeout,
                  max_pool_connections=4)


def sqs_client(server, protocol="json"):
    session = query_session() if protocol == "query" else boto3.session.Session()
    return session.client("sqs", endpoint_url=server.endpoint, region_name=REGION,
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                          config=make_config())


def lambda_client(server):
    return boto3.session.Session().client("lambda", endpoint_url=server.endpoint, region_name=REGION,
                                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                                          config=make_config(30))


def call(fn, **kwargs):
    """('ok', response) | ('error', ClientError) | ('unknown', exception).
    'error' means the server answered with an error; 'unknown' that no answer came."""
    try:
        return "ok", fn(**kwargs)
    except ClientError as e:
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return ("unknown" if status >= 500 else "error"), e
    except Exception as e:  # connection refused/reset, timeouts, truncated responses
        return "unknown", e


# ---- what the clients saw ----------------------------------------------------------

class Record:
    """Everything acknowledged, observed or left unknown. Lists are appended from many
    threads (atomic in CPython); the checks run after every thread stopped."""

    def __init__(self):
        self.lock = threading.Lock()
        self.serial = itertools.count()
        self.acked = {}            # body -> dict(queue, mid, t, group, index)
        self.first_mid = {}        # body -> the MessageId it was first received with
        self.unknown_sends = set()  # bodies whose send got no answer
        self.observations = []     # dicts, see observe()
        self.deletes_acked = []    # (queue, mid, body, t_ack)
        self.deletes_unknown = []  # (queue, mid, body)
        self.tasks = []            # move tasks that must complete: dict(how, window or started)
        self.kills = []            # monotonic times of each SIGKILL
        self.survived = 0          # kills after which the server came up again
        self.task_spans = []       # (start, seen finished) of each move task, for the report
        self.notes = []            # harness-level remarks
        self.counts = {"send_unknown": 0, "send_error": 0, "delete_error": 0, "receive_unknown": 0}

    def ack_send(self, body, queue, mid, t, group=None, index=None):
        with self.lock:
            self.acked[body] = {"queue": queue, "mid": mid, "t": t, "group": group, "index": index}
            self.unknown_sends.discard(body)

    def unknown_send(self, body):
        with self.lock:
            if body not in self.acked:
                self.unknown_sends.add(body)

    def observe(self, who, queue, t0, t1, messages):
        serial = next(self.serial)
        out = []
        for pos, m in enumerate(messages):
            attrs = m.get("Attributes", {})
            obs = {"who": who, "queue": queue, "t0": t0, "t1": t1, "key": (t1, serial, pos),
                   "mid": m["MessageId"], "body": m["Body"],
                   "count": int(attrs.get("ApproximateReceiveCount", "0")),
                   "group": attrs.get("MessageGroupId"), "handle": m["ReceiptHandle"]}
            self.observations.append(obs)
            self.first_mid.setdefault(obs["body"], obs["mid"])
            out.append(obs)
        return out


# ---- the workload ------------------------------------------------------------------

class Worker(threading.Thread):
    def __init__(self, name, ctx, fn):
        super().__init__(name=name, daemon=True)
        self.ctx = ctx
        self.fn = fn
        self.error = None

    def run(self):
        try:
            self.fn()
        except Exception as e:  # a bug in the test itself: report, do not hang
            import traceback
            self.error = "%s: %s\n%s" % (self.name, e, traceback.format_exc())
            self.ctx.record.notes.append(self.error)


class Context:
    def __init__(self, server, record, seed):
        self.server = server
        self.record = record
        self.stop = threading.Event()        # stops producers and consumers
        self.stop_mover = threading.Event()
        self.seed = seed
        self.urls = {}
        self.arns = {}

    def rng(self, name):
        return random.Random("%s/%s" % (self.seed, name))


def pause(ctx, seconds):
    ctx.stop.wait(seconds)


def standard_producer(ctx, name, client, queue, poison_rate, batch_rate):
    rng = ctx.rng(name)
    url = ctx.urls[queue]
    rec = ctx.record
    n = 0
    while not ctx.stop.is_set():
        if rng.random() < batch_rate:
            bodies = []
            for _ in range(rng.randint(2, 6)):
                n += 1
                bodies.append("%s-%d%s" % (name, n, POISON if rng.random() < poison_rate else ""))
            entries = [{"Id": "e%d" % i, "MessageBody": b} for i, b in enumerate(bodies)]
            outcome, resp = call(client.send_message_batch, QueueUrl=url, Entries=entries)
            t = now()
            if outcome == "ok":
                for ok in resp.get("Successful", []):
                    rec.ack_send(bodies[int(ok["Id"][1:])], queue, ok["MessageId"], t)
                for bad in resp.get("Failed", []):
                    rec.unknown_send(bodies[int(bad["Id"][1:])])
                    rec.counts["send_error"] += 1
            else:
                for b in bodies:
                    rec.unknown_send(b)
                rec.counts["send_unknown" if outcome == "unknown" else "send_error"] += 1
        else:
            n += 1
            body = "%s-%d%s" % (name, n, POISON if rng.random() < poison_rate else "")
            outcome, resp = call(client.send_message, QueueUrl=url, MessageBody=body)
            if outcome == "ok":
                rec.ack_send(body, queue, resp["MessageId"], now())
            else:
                rec.unknown_send(body)
                rec.counts["send_unknown" if outcome == "unknown" else "send_error"] += 1
        pause(ctx, rng.uniform(0.01, 0.06) if outcome == "ok" else 0.05)


def fifo_producer(ctx, client):
    """One sender for every group, so each group's send order is program order. A send
    without an answer is retried with the same deduplication ids until it is
    acknowledged (the retry then returns the stored message); only when the run stops
    does a send stay unknown."""
    rng = ctx.rng("fifo-producer")
    url = ctx.urls["fifo"]
    rec = ctx.record
    next_index = {g: 0 for g in FIFO_GROUPS}
    while not ctx.stop.is_set():
        group = rng.choice(FIFO_GROUPS)
        count = rng.randint(2, 4) if rng.random() < 0.25 else 1
        items = []
        for _ in range(count):
            items.append((next_index[group], "f-%s-%d" % (group, next_index[group])))
            next_index[group] += 1
        acked = False
        for attempt in range(400):  # ~40 s at most; the server is down for milliseconds
            if count == 1:
                outcome, resp = call(client.send_message, QueueUrl=url, MessageBody=items[0][1],
                                     MessageGroupId=group, MessageDeduplicationId=items[0][1])
                results = [(0, resp["MessageId"])] if outcome == "ok" else []
            else:
                entries = [{"Id": "e%d" % i, "MessageBody": b, "MessageGroupId": group,
                            "MessageDeduplicationId": b} for i, (_, b) in enumerate(items)]
                outcome, resp = call(client.send_message_batch, QueueUrl=url, Entries=entries)
                results = []
                if outcome == "ok":
                    results = [(int(ok["Id"][1:]), ok["MessageId"]) for ok in resp.get("Successful", [])]
                    for bad in resp.get("Failed", []):
                        # answered, not stored; not retried (a retry would go after the
                        # entries that were stored)
                        rec.unknown_send(items[int(bad["Id"][1:])][1])
                        rec.counts["send_error"] += 1
            if outcome == "ok":
                t = now()
                for i, mid in results:
                    rec.ack_send(items[i][1], "fifo", mid, t, group=group, index=items[i][0])
                acked = True
                break
            rec.counts["send_unknown" if outcome == "unknown" else "send_error"] += 1
            for _, b in items:
                rec.unknown_send(b)
            if ctx.stop.is_set() and attempt >= 20:
                break
            time.sleep(0.1)
        if not acked:
            rec.notes.append("FIFO send of %s never acknowledged" % [b for _, b in items])
        pause(ctx, rng.uniform(0.01, 0.05))


RECEIVE_ATTRS = dict(MessageSystemAttributeNames=["All"], MaxNumberOfMessages=10, WaitTimeSeconds=1)


def delete_messages(ctx, client, queue, url, batch, rng):
    """Deletes the observations in batch (singly or with DeleteMessageBatch); records
    what was acknowledged."""
    rec = ctx.record
    if not batch:
        return
    if len(batch) > 1 and rng.random() < 0.4:
        entries = [{"Id": "d%d" % i, "ReceiptHandle": o["handle"]} for i, o in enumerate(batch)]
        outcome, resp = call(client.delete_message_batch, QueueUrl=url, Entries=entries)
        t = now()
        if outcome == "ok":
            for ok in resp.get("Successful", []):
                o = batch[int(ok["Id"][1:])]
                rec.deletes_acked.append((queue, o["mid"], o["body"], t))
            rec.counts["delete_error"] += len(resp.get("Failed", []))
        elif outcome == "unknown":
            for o in batch:
                rec.deletes_unknown.append((queue, o["mid"], o["body"]))
        else:
            rec.counts["delete_error"] += 1
        return
    for o in batch:
        outcome, _ = call(client.delete_message, QueueUrl=url, ReceiptHandle=o["handle"])
        if outcome == "ok":
            rec.deletes_acked.append((queue, o["mid"], o["body"], now()))
        elif outcome == "unknown":
            rec.deletes_unknown.append((queue, o["mid"], o["body"]))
        else:
            rec.counts["delete_error"] += 1


def receive(ctx, who, client, queue, **extra):
    """One ReceiveMessage; returns the observations (empty when no answer came)."""
    params = dict(RECEIVE_ATTRS)
    params.update(extra)
    t0 = now()
    outcome, resp = call(client.receive_message, QueueUrl=ctx.urls[queue], **params)
    t1 = now()  # taken before anything is done with the messages (the FIFO check needs it)
    if outcome != "ok":
        ctx.record.counts["receive_unknown"] += outcome == "unknown"
        return None
    return ctx.record.observe(who, queue, t0, t1, resp.get("Messages", []))


def work_consumer(ctx, name, client):
    rng = ctx.rng(name)
    rec = ctx.record
    while not ctx.stop.is_set():
        got = receive(ctx, name, client, "work")
        if got is None:
            pause(ctx, 0.05)
            continue
        to_delete = []
        for o in got:
            sent = rec.acked.get(o["body"])
            original = sent["mid"] if sent is not None else rec.first_mid.get(o["body"])
            if original != o["mid"]:
                to_delete.append(o)  # a move task's copy: consume it, or poison cycles forever
            elif o["body"].endswith(POISON):
                continue
            elif rng.random() < 0.8:
                to_delete.append(o)
        delete_messages(ctx, client, "work", ctx.urls["work"], to_delete, rng)


def fifo_consumer(ctx, name, client):
    rng = ctx.rng(name)
    while not ctx.stop.is_set():
        got = receive(ctx, name, client, "fifo")
        if got is None:
            pause(ctx, 0.05)
            continue
        skipped = set()
        to_delete = []
        for o in got:
            # after leaving one message of a group, leave the rest of that group too
            if o["group"] in skipped or rng.random() < 0.08:
                skipped.add(o["group"])
            else:
                to_delete.append(o)
        delete_messages(ctx, client, "fifo", ctx.urls["fifo"], to_delete, rng)


def wall_ms():
    return int(time.time() * 1000)


def list_tasks(ctx, client):
    outcome, resp = call(client.list_message_move_tasks, SourceArn=ctx.arns["dlq"], MaxResults=10)
    return resp.get("Results", []) if outcome == "ok" else None


def note_running(rec, tasks):
    """A RUNNING task must complete, also one whose start got no answer (it may have been
    stored). Finished tasks are listed without a TaskHandle (as in SQS), so tasks are
    told apart by StartedTimestamp. Returns whether one is running."""
    running = False
    for t in tasks:
        if t.get("Status") == "RUNNING":
            running = True
            if not any(task_matches(k, t) for k in rec.tasks):
                rec.tasks.append({"how": "found running", "started": t.get("StartedTimestamp")})
    return running


def task_matches(known, listed):
    started = listed.get("StartedTimestamp")
    if started is None:
        return False
    if "started" in known:
        return started == known["started"]
    return known["window"][0] - 1 <= started <= known["window"][1] + 1


def mover(ctx, client, first_after):
    """Starts a move task once the DLQ has messages, waits for it to complete (while the
    killer keeps going), then starts another, up to MAX_MOVE_TASKS."""
    rng = ctx.rng("mover")
    rec = ctx.record
    ctx.stop_mover.wait(first_after)
    while not ctx.stop_mover.is_set() and len(rec.tasks) < MAX_MOVE_TASKS:
        outcome, resp = call(client.get_queue_attributes, QueueUrl=ctx.urls["dlq"],
                             AttributeNames=["ApproximateNumberOfMessages"])
        if outcome != "ok" or int(resp["Attributes"]["ApproximateNumberOfMessages"]) < 5:
            ctx.stop_mover.wait(0.5)
            continue
        w0 = wall_ms()
        outcome, resp = call(client.start_message_move_task, SourceArn=ctx.arns["dlq"],
                             DestinationArn=ctx.arns["work"], MaxNumberOfMessagesPerSecond=MOVE_RATE)
        t_started = now()
        if outcome == "ok":
            rec.tasks.append({"how": "started", "window": (w0, wall_ms())})
        # Wait (bounded) until no task is running before starting the next one.
        deadline = now() + 60
        while not ctx.stop_mover.is_set() and now() < deadline:
            tasks = list_tasks(ctx, client)
            if tasks is not None and not note_running(rec, tasks):
                break
            ctx.stop_mover.wait(0.3)
        rec.task_spans.append((t_started, now()))
        ctx.stop_mover.wait(rng.uniform(3, 8))


def killer(ctx, kills, phase_end, hard_end):
    """SIGKILLs at random moments, spread so that `kills` fit before phase_end; each
    time restarts on the same port and data directory (bounded)."""
    rng = ctx.rng("killer")
    rec = ctx.record
    server = ctx.server
    done = 0
    time.sleep(1.0)  # the set-up is not what is under test: let the workload start first
    while done < kills:
        remaining = max(phase_end - now(), 0.0)
        mean = remaining / (kills - done)
        r = rng.random()
        if r < 0.1:
            interval = rng.uniform(0.0, 0.1)   # right after a restart: during recovery/warm-up
        else:
            interval = mean * rng.uniform(0.2, 1.8)
        time.sleep(max(0.0, min(interval, hard_end - now())))
        if now() >= hard_end:
            break
        exited = server.proc.poll() if server.proc is not None else None
        if exited is not None:
            raise ServerFailed("sqsemu exited on its own with status %s before kill %d" % (exited, done + 1))
        server.kill9()
        rec.kills.append(now())
        server.start()
        rec.survived += 1
        done += 1
    return done


# ---- set-up ------------------------------------------------------------------------

def python_runtime():
    return "python3.%d" % min(max(sys.version_info[1], 9), 14)


def fixture_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for fn in sorted(os.listdir(FIXTURE)):
            path = os.path.join(FIXTURE, fn)
            if os.path.isfile(path) and fn.endswith(".py"):
                zf.write(path, fn)
    return out.getvalue()


def set_up(ctx, work_dir):
    sqs = sqs_client(ctx.server)
    lam = lambda_client(ctx.server)

    def queue(key, name, attributes):
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        ctx.urls[key] = url
        ctx.arns[key] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    queue("dlq", "work-dlq", {})
    queue("work", "work", {"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": ctx.arns["dlq"], "maxReceiveCount": MAX_RECEIVE_COUNT})})
    queue("fifo", "orders.fifo", {"FifoQueue": "true", "VisibilityTimeout": "1"})
    queue("fn", "fn-src", {"VisibilityTimeout": "6"})
    queue("done", "done", {})

    processed_file = os.path.join(work_dir, "processed.txt")
    lam.create_function(FunctionName="forwarder", Runtime=python_runtime(), Handler="app.handler",
                        Role="arn:aws:iam::%s:role/crash" % ACCOUNT, Code={"ZipFile": fixture_zip()},
                        Timeout=3, Environment={"Variables": {"DONE_QUEUE_URL": ctx.urls["done"],
                                                              "PROCESSED_FILE": processed_file}})
    mapping = lam.create_event_source_mapping(FunctionName="forwarder", EventSourceArn=ctx.arns["fn"],
                                              BatchSize=10, ScalingConfig={"MaximumConcurrency": 2})
    deadline = now() + 15
    while lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] != "Enabled":
        if now() > deadline:
            raise HarnessError("the event-source mapping never became Enabled")
        time.sleep(0.1)
    return processed_file


# ---- the final phase ---------------------------------------------------------------

def counters(client, url):
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    outcome, resp = call(client.get_queue_attributes, QueueUrl=url, AttributeNames=names)
    if outcome != "ok":
        return None
    return tuple(int(resp["Attributes"][n]) for n in names)


def wait_tasks_finished(ctx, client, deadline):
    """Waits (bounded) until no move task is running; returns the last listing."""
    tasks = []
    while now() < deadline:
        listed = list_tasks(ctx, client)
        if listed is not None:
            tasks = listed
            if not note_running(ctx.record, tasks):
                break
        time.sleep(0.3)
    return tasks


def wait_empty(client, url, deadline):
    while now() < deadline:
        c = counters(client, url)
        if c == (0, 0, 0):
            return True
        time.sleep(0.3)
    return False


def drain(ctx, client, queue, deadline):
    """Receives (and deletes) until the queue reports no messages at all; returns the
    observations. Bounded by deadline."""
    url = ctx.urls[queue]
    rng = ctx.rng("drain-" + queue)
    seen = []
    while now() < deadline:
        got = receive(ctx, "drain", client, queue, VisibilityTimeout=60)
        if got is None:
            time.sleep(0.1)
            continue
        seen.extend(got)
        delete_messages(ctx, client, queue, url, got, rng)
        if not got and counters(client, url) == (0, 0, 0):
            return seen, True
    return seen, False


# ---- the checks --------------------------------------------------------------------

def check(ctx, done_bodies, task_states, problems, t_start):
    rec = ctx.record
    obs_by_mid = {}
    first_obs = {}
    bodies_seen = set()
    for o in rec.observations:
        obs_by_mid.setdefault(o["mid"], []).append(o)
        bodies_seen.add(o["body"])
        if o["body"] not in first_obs or o["key"] < first_obs[o["body"]]["key"]:
            first_obs[o["body"]] = o

    def when(t):
        return "t=%.2fs" % (t - t_start)

    def kills_near(t):
        before = [k for k in rec.kills if k <= t]
        after = [k for k in rec.kills if k > t]
        parts = []
        if before:
            parts.append("last kill %.3fs before" % (t - before[-1]))
        if after:
            parts.append("next kill %.3fs after" % (after[0] - t))
        return ", ".join(parts) or "no kill near"

    # lost
    resolved = set(b for _, _, b, _ in rec.deletes_acked) | set(b for _, _, b in rec.deletes_unknown)
    for body, s in sorted(rec.acked.items(), key=lambda kv: kv[1]["t"]):
        if s["queue"] == "fn":
            ok = body in done_bodies or body in resolved
        else:
            ok = body in resolved
        if not ok:
            seen = obs_by_mid.get(s["mid"], [])
            problems["lost"].append(
                "acknowledged send of %r to %s (MessageId %s, acknowledged at %s, %s) is gone: %s" % (
                    body, s["queue"], s["mid"], when(s["t"]), kills_near(s["t"]),
                    ("received %d time(s), last from %s at %s, never deleted" % (
                        len(seen), seen[-1]["queue"], when(seen[-1]["t1"]))) if seen else "never received"))

    # resurrected: per queue (a dead-letter move keeps the MessageId, and a delete with a
    # handle of the source queue after such a move deletes nothing, as in SQS)
    deleted_at = {}
    for queue, mid, body, t in rec.deletes_acked:
        k = (queue, mid)
        if k not in deleted_at or t < deleted_at[k]:
            deleted_at[k] = t
    for o in rec.observations:
        t = deleted_at.get((o["queue"], o["mid"]))
        if t is not None and o["t0"] > t:
            problems["resurrected"].append(
                "%r (MessageId %s) received from %s by %s at %s, after its DeleteMessage was acknowledged at %s (%s)"
                % (o["body"], o["mid"], o["queue"], o["who"], when(o["t0"]), when(t), kills_near(t)))

    # receive counts
    for mid, seen in obs_by_mid.items():
        seen = sorted(seen, key=lambda o: o["t0"])
        for i, a in enumerate(seen):
            for b in seen[i + 1:]:
                if a["t1"] < b["t0"] and b["count"] <= a["count"]:
                    problems["count"].append(
                        "MessageId %s (%r): ApproximateReceiveCount %d from %s at %s, then %d from %s at %s" % (
                            mid, a["body"], a["count"], a["queue"], when(a["t1"]), b["count"], b["queue"],
                            when(b["t0"])))
        for o in seen:
            if o["count"] < 1:
                problems["count"].append("MessageId %s received with ApproximateReceiveCount %d" % (mid, o["count"]))

    # FIFO order of first receives, per group. A message sent after an acknowledged one
    # (acknowledged itself or not: it was only sent after that acknowledgement) must be
    # first received after it. Messages without an acknowledgement set no bound.
    fifo_sent = {}
    for body, s in rec.acked.items():
        if s["queue"] == "fifo":
            fifo_sent.setdefault(s["group"], []).append((s["index"], body, True))
    for body in rec.unknown_sends:
        parts = body.split("-")
        if body.startswith("f-") and len(parts) == 3 and parts[2].isdigit():
            fifo_sent.setdefault(parts[1], []).append((int(parts[2]), body, False))
    for group, sent in sorted(fifo_sent.items()):
        prev = None  # (index, body, first observation) of the latest-received acknowledged one so far
        for index, body, acked in sorted(sent):
            o = first_obs.get(body)
            if o is None:
                continue  # lost (if acknowledged) or never stored
            if prev is not None and o["key"] < prev[2]["key"]:
                problems["fifo-order"].append(
                    "group %s: %r (sent #%d%s) first received at %s by %s, before %r (sent #%d) first received at %s"
                    % (group, body, index, "" if acked else ", send unanswered", when(o["t1"]), o["who"], prev[1],
                       prev[0], when(prev[2]["t1"])))
            if acked and (prev is None or o["key"] > prev[2]["key"]):
                prev = (index, body, o)

    # move tasks: each one we know of is listed and COMPLETED
    for known in rec.tasks:
        listed = [t for t in task_states if task_matches(known, t)]
        if not listed:
            problems["move-task"].append("move task %s is not listed any more: %s" % (known["how"], known))
        for t in listed:
            if t.get("Status") != "COMPLETED":
                problems["move-task"].append("move task (%s) is %s at the end: %s" % (known["how"], t.get("Status"), t))

    # unexpected bodies
    sent_bodies = set(rec.acked) | rec.unknown_sends
    for body in sorted((bodies_seen | done_bodies) - sent_bodies):
        problems["unexpected"].append("received a body nobody sent: %r" % body)


def new_problems():
    return {k: [] for k in ("lost", "resurrected", "count", "fifo-order", "move-task", "unexpected", "server")}


def self_test():
    """Feeds check() made-up histories: one that is fine (including the legitimate corner
    cases it must accept) and, per invariant, one that breaks it. Returns what went wrong."""

    class Fake:
        pass

    def history():
        ctx = Fake()
        ctx.record = Record()
        return ctx, ctx.record

    def msg(mid, body, count, group=None):
        attrs = {"ApproximateReceiveCount": str(count)}
        if group:
            attrs["MessageGroupId"] = group
        return {"MessageId": mid, "Body": body, "ReceiptHandle": "h-" + mid, "Attributes": attrs}

    def good(rec):
        rec.ack_send("w-1", "work", "m1", 1.0)
        rec.observe("c", "work", 1.1, 1.2, [msg("m1", "w-1", 1)])
        rec.observe("c", "work", 1.15, 1.3, [msg("m1", "w-1", 1)])   # overlapping: no order known
        rec.observe("c", "work", 2.5, 2.6, [msg("m1", "w-1", 2)])
        rec.deletes_acked.append(("work", "m1", "w-1", 2.7))          # stale: m1 had gone to the DLQ
        rec.observe("d", "dlq", 3.0, 3.1, [msg("m1", "w-1", 3)])
        rec.deletes_acked.append(("dlq", "m1", "w-1", 3.2))
        rec.ack_send("w-2", "work", "m2", 1.0)
        rec.observe("c", "work", 1.4, 1.5, [msg("m2x", "w-2", 1)])    # a move task's copy
        rec.deletes_unknown.append(("work", "m2x", "w-2"))
        rec.ack_send("l-1", "fn", "m3", 1.0)
        rec.ack_send("f-g0-0", "fifo", "f0", 1.0, group="g0", index=0)
        rec.unknown_send("f-g0-1")
        rec.ack_send("f-g0-2", "fifo", "f2", 1.2, group="g0", index=2)
        rec.observe("c", "fifo", 2.2, 2.3, [msg("f0", "f-g0-0", 1, "g0"), msg("f1", "f-g0-1", 1, "g0"),
                                            msg("f2", "f-g0-2", 1, "g0")])
        rec.deletes_acked += [("fifo", "f0", "f-g0-0", 2.4), ("fifo", "f2", "f-g0-2", 2.4)]
        rec.deletes_unknown.append(("fifo", "f1", "f-g0-1"))
        rec.tasks.append({"how": "started", "window": (1000, 1010)})
        return {"l-1"}, [{"Status": "COMPLETED", "StartedTimestamp": 1005}]

    failures = []
    ctx, rec = history()
    done, tasks = good(rec)
    problems = new_problems()
    check(ctx, done, tasks, problems, 0.0)
    if any(problems.values()):
        failures.append("a history that keeps every invariant was rejected: %s" % problems)

    breakers = {
        "lost": lambda rec: rec.ack_send("w-9", "work", "m9", 1.0),
        "resurrected": lambda rec: rec.observe("c", "work", 2.8, 3.05, [msg("m1", "w-1", 3)]),
        "count": lambda rec: rec.observe("c", "work", 2.65, 2.66, [msg("m1", "w-1", 2)]),
        "fifo-order": lambda rec: (rec.ack_send("f-g0-3", "fifo", "f3", 1.3, group="g0", index=3),
                                   rec.observe("c", "fifo", 1.9, 1.95, [msg("f3", "f-g0-3", 1, "g0")]),
                                   rec.deletes_acked.append(("fifo", "f3", "f-g0-3", 2.0))),
        "fifo-order (unanswered send)": lambda rec: rec.observe("c", "fifo", 1.5, 1.6, [msg("f1z", "f-g0-1", 1, "g0")]),
        "move-task": lambda rec: rec.tasks.append({"how": "started", "window": (2000, 2010)}),
        "unexpected": lambda rec: rec.observe("c", "work", 1.0, 1.1, [msg("m7", "nobody-sent-this", 1)]),
    }
    for kind, breaker in breakers.items():
        ctx, rec = history()
        done, tasks = good(rec)
        breaker(rec)
        problems = new_problems()
        check(ctx, done, tasks, problems, 0.0)
        kind = kind.split(" ")[0]
        if not problems[kind] or any(v for k, v in problems.items() if k != kind):
            failures.append("the %s check missed a history that breaks it, or another check fired: %s"
                            % (kind, problems))
    return failures


# ---- main --------------------------------------------------------------------------

def run(args):
    t_start = now()
    work_dir = tempfile.mkdtemp(prefix="sqsemu-crash-")
    data_dir = os.path.join(work_dir, "data")
    os.makedirs(data_dir)
    server = Server(args.binary, data_dir, os.path.join(work_dir, "sqsemu.log"))
    record = Record()
    ctx = Context(server, record, args.seed)
    problems = new_problems()
    threads = []
    summary = {}
    harness_error = None
    try:
        server.start()
        set_up(ctx, work_dir)
        t_setup = now()
        final_reserve = min(40.0, args.budget * 0.3)
        phase_end = t_start + args.budget - final_reserve
        if phase_end - t_setup < args.kills * 0.3:
            raise HarnessError("a budget of %.0f s leaves too little time for %d kills" % (args.budget, args.kills))

        def worker(name, fn, *fargs):
            threads.append(Worker(name, ctx, lambda: fn(ctx, *fargs)))

        worker("work-json-a", standard_producer, "wa", sqs_client(server), "work", 0.04, 0.3)
        worker("work-json-b", standard_producer, "wb", sqs_client(server), "work", 0.04, 0.0)
        worker("work-query", standard_producer, "wq", sqs_client(server, "query"), "work", 0.04, 0.3)
        worker("fn-producer", standard_producer, "l", sqs_client(server), "fn", 0.0, 0.2)
        worker("fifo-producer", fifo_producer, sqs_client(server))
        worker("work-consumer-1", work_consumer, "work-consumer-1", sqs_client(server))
        worker("work-consumer-q", work_consumer, "work-consumer-q", sqs_client(server, "query"))
        worker("fifo-consumer-1", fifo_consumer, "fifo-consumer-1", sqs_client(server))
        worker("fifo-consumer-2", fifo_consumer, "fifo-consumer-2", sqs_client(server))
        mover_client = sqs_client(server)
        mover_thread = Worker("mover", ctx, lambda: mover(ctx, mover_client, (phase_end - t_setup) * 0.2))
        threads.append(mover_thread)
        for t in threads:
            t.start()

        kills_done = killer(ctx, args.kills, phase_end, phase_end + 30)
        if kills_done < args.kills:
            raise HarnessError("only %d of %d kills fitted in the time budget" % (kills_done, args.kills))
        time.sleep(1.0)  # some traffic against the last restart

        # ---- final phase: stop the workload, let the tasks and the mapping finish, drain
        ctx.stop.set()
        for t in threads:
            if t is not mover_thread:
                t.join(timeout=45)
        ctx.stop_mover.set()
        mover_thread.join(timeout=15)
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            raise HarnessError("worker threads did not stop: %s" % stuck)
        client = sqs_client(server)
        hard_deadline = now() + max(final_reserve, 30.0) + 20
        wait_tasks_finished(ctx, client, min(now() + 45, hard_deadline))
        fn_empty = wait_empty(client, ctx.urls["fn"], min(now() + 40, hard_deadline))
        if not fn_empty:
            record.notes.append("fn-src still held messages when the wait ran out: %s" % (counters(client, ctx.urls["fn"]),))
        drained = {}
        # work before its DLQ: receiving a message that already had maxReceiveCount
        # receives moves it there
        for queue in ("work", "fifo", "fn", "dlq", "done"):
            seen, emptied = drain(ctx, client, queue, min(now() + 40, hard_deadline))
            drained[queue] = len(seen)
            if not emptied:
                record.notes.append("draining %s ran out of time (%s)" % (queue, counters(client, ctx.urls[queue])))
        done_bodies = set(o["body"] for o in record.observations if o["queue"] == "done")
        task_states = list_tasks(ctx, client)
        if task_states is None:
            raise HarnessError("ListMessageMoveTasks failed after the run")
        summary["moved"] = sum(int(t.get("ApproximateNumberOfMessagesMoved", 0)) for t in task_states)
        summary["drained"] = drained
        summary["processed"] = len(done_bodies & set(b for b, s in record.acked.items() if s["queue"] == "fn"))
        try:
            with open(os.path.join(work_dir, "processed.txt")) as f:
                summary["processed_file"] = len(set(f.read().split()))
        except OSError:
            summary["processed_file"] = 0
        check(ctx, done_bodies, task_states, problems, t_start)
        if server.proc is not None and server.proc.poll() is not None:
            raise ServerFailed("sqsemu exited on its own with status %s after the last kill" % server.proc.returncode)
        status = server.stop()
        if status != 0:
            problems["server"].append("SIGTERM after the run: sqsemu ended with status %s, not 0" % status)
    except HarnessError as e:
        harness_error = str(e)
    except ServerFailed as e:
        problems["server"].append(str(e))
    finally:
        ctx.stop.set()
        ctx.stop_mover.set()
        for t in threads:
            t.join(timeout=5)
        server.stop()
        leftovers = server.children_left()
        deadline = now() + 5
        while leftovers and now() < deadline:
            time.sleep(0.2)
            leftovers = server.children_left()
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if leftovers:
            record.notes.append("ended %d function process(es) left behind: %s" % (len(leftovers), leftovers))

    # ---- report
    rec = record
    acked_by_queue = {}
    for s in rec.acked.values():
        acked_by_queue[s["queue"]] = acked_by_queue.get(s["queue"], 0) + 1
    elapsed = now() - t_start
    print("crash test: %d kills survived (%d server starts) in %.0f s, seed %s" % (
        rec.survived, server.starts, elapsed, args.seed))
    print("  acknowledged sends: %d (work %d, fifo %d, fn-src %d); unknown outcome %d" % (
        len(rec.acked), acked_by_queue.get("work", 0), acked_by_queue.get("fifo", 0), acked_by_queue.get("fn", 0),
        len(rec.unknown_sends)))
    print("  acknowledged deletes: %d (unknown outcome %d, refused %d); messages received: %d" % (
        len(rec.deletes_acked), len(rec.deletes_unknown), rec.counts["delete_error"], len(rec.observations)))
    kills_in_tasks = sum(1 for k in rec.kills if any(a <= k <= b for a, b in rec.task_spans))
    print("  move tasks: %d (%s), %d kills while one ran, messages moved: %s" % (
        len(rec.tasks), ", ".join(sorted(set(k["how"] for k in rec.tasks))) or "-", kills_in_tasks,
        summary.get("moved", "?")))
    print("  function-processed: %s of the acknowledged fn-src sends (in the handler's own file: %s)" % (
        summary.get("processed", "?"), summary.get("processed_file", "?")))
    if "drained" in summary:
        print("  drained at the end: %s" % ", ".join("%s %d" % kv for kv in summary["drained"].items()))
    for note in rec.notes:
        print("  note: %s" % note)
    failed = sum(len(v) for v in problems.values())
    print("FINDINGS " + " ".join("%s=%d" % (k, len(v)) for k, v in problems.items()))
    if failed:
        for kind, items in problems.items():
            for line in items[:25]:
                print("  %s: %s" % (kind.upper(), line))
            if len(items) > 25:
                print("  %s: ... and %d more" % (kind.upper(), len(items) - 25))
    worker_errors = [t.error for t in threads if t.error]
    if harness_error or worker_errors:
        print("HARNESS ERROR: %s" % (harness_error or "a worker thread failed"))
        for e in worker_errors:
            print(e)
    if failed or harness_error or worker_errors:
        print("---- server log (tail) ----")
        print(server.log_tail())
    if (failed or harness_error or worker_errors) and not args.discard:
        print("---- (data kept in %s)" % work_dir)
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    if harness_error or worker_errors:
        print("RESULT: ERROR")
        return 2
    print("RESULT: %s" % ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default=os.environ.get("SQSEMU_BIN") or os.path.join(ROOT, "build", "sqsemu"))
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs to survive (default 100)")
    parser.add_argument("--budget", type=float, default=150.0, help="seconds for the whole run (default 150)")
    parser.add_argument("--seed", default=None, help="random seed (default: time-based, printed)")
    parser.add_argument("--discard", action="store_true", help="remove the data directory even after a failure")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = str(int(time.time() * 1000) % 1000000)
    args.binary = os.path.abspath(args.binary)
    broken_checks = self_test()
    if broken_checks:
        print("crash test: the checker's self-test failed:\n  " + "\n  ".join(broken_checks))
        return 2
    if not os.access(args.binary, os.X_OK):
        print("crash test: no executable sqsemu at %s" % args.binary)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
