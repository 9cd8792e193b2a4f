#!/usr/bin/env python3
"""bench/trigger.py — the Lambda SQS-trigger path of sqsemu, which the shared harness
does not cover.

    python3 bench/trigger.py [--messages 200] [--rate 20] [--burst 2000] [--concurrency 5]
                             [--work-ms 0] [--tests latency_b1,latency_b10,burst_b1,burst_b10,burst_b100]
                             [--no-idle] [--in-memory] [--bin PATH] [--runtimes DIR] [--out FILE] [--keep]

Starts its own sqsemu (the release build, built with meson/ninja if needed) on a free
127.0.0.1 port with a throw-away --data-dir, and registers a python function whose
handler writes, for every record it gets, one file named after the message body into a
temp directory (on /dev/shm when available; passed as Environment.Variables.OUT_DIR)
holding time.time() taken when the handler started, when it finished, the batch size,
its pid and its process CPU time.

  latency_b1 / latency_b10   event-source mapping with BatchSize 1 (resp. 10, no batching
      window); after a warm-up message (its latency is the cold start), --messages
      SendMessage calls, one every 1/--rate s. Pick-up latency = handler start minus the
      moment the SendMessage response was read (also from the request's start).
  burst_b1 / burst_b10 / burst_b100   --burst messages are put on the queue while the mapping is
      disabled (SendMessageBatch), then the mapping is enabled with
      ScalingConfig.MaximumConcurrency --concurrency (a BatchSize above 10 gets a 1 s
      MaximumBatchingWindowInSeconds, which AWS requires for it). Throughput = messages handled per
      second from the enabling call to the last handler's end (cold starts included);
      with --work-ms the handler also sleeps that long per invocation (shows whether
      MaximumConcurrency invocations really run at once);
      "steady" = over the 10 %..90 % quantiles of handler ends; max_overlap = the
      most invocations seen running at once; CPU per message of sqsemu's own process and
      of the execution environments (python runtime + handler: in total with start-up,
      and per warm invocation from the handlers' own process_time(); the runtime client's
      own share is that minus the CPU the handlers count inside themselves); the machine's CPU
      use over the burst (all cores, all processes).
  idle                       at the end: an enabled mapping on an empty queue with a warm
      environment; CPU use of sqsemu and of that environment over 5 s (should be ~0 %).

Prints `metric value unit` lines (like the shared harness) on stdout, progress on
stderr. Bounded: every wait has a deadline (--max-seconds for the whole run) and the
server is stopped by its PID at the end. Needs python3 with boto3, loopback only.
"""

import argparse
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build-release")
BIN = os.path.join(BUILD, "sqsemu")
ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = "arn:aws:iam::%s:role/bench" % ACCOUNT

HANDLER = r'''
import os, time

OUT = os.environ["OUT_DIR"]
WORK_S = float(os.environ.get("WORK_MS", "0")) / 1000.0
HANDLER_CPU = [0.0]   # process CPU spent inside this handler so far


def handler(event, context):
    start = time.time()
    cpu = time.process_time()
    records = event.get("Records") or []
    done = []
    for r in records:
        done.append(r["body"])
    if WORK_S > 0:
        time.sleep(WORK_S)
    end = time.time()
    line = "%.6f %.6f %d %d %.6f %.6f\n" % (start, end, len(records), os.getpid(), cpu, HANDLER_CPU[0])
    for body in done:
        tmp = os.path.join(OUT, "." + body)
        with open(tmp, "w") as f:
            f.write(line)
        os.rename(tmp, os.path.join(OUT, body))
    HANDLER_CPU[0] += time.process_time() - cpu
    return {}
'''


def log(*a):
    print("[trigger]", *a, file=sys.stderr, flush=True)


def pct(values, p):
    """Nearest-rank percentile, as the shared harness computes it."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def check(self, what):
        if self.left() <= 0:
            raise TimeoutError("time limit reached while %s" % what)


def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + (v[4] if len(v) > 4 else 0)


def build():
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        log("configuring", BUILD)
        subprocess.run(["meson", "setup", BUILD, ROOT, "--buildtype=release"], check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
    subprocess.run(["ninja", "-C", BUILD, "sqsemu"], check=True, stdout=subprocess.DEVNULL, timeout=900)


class Server:
    def __init__(self, work, in_memory, binary=None, runtimes=None):
        self.log_path = os.path.join(work, "server.log")
        args = [binary or BIN, "--host", "127.0.0.1", "--port", "0", "--data-dir", os.path.join(work, "data"),
                "--runtimes-dir", runtimes or os.path.join(ROOT, "runtimes")]
        if in_memory:
            args.append("--in-memory")
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self.endpoint = None
        end = time.monotonic() + 10
        while time.monotonic() < end and self.proc.poll() is None:
            with open(self.log_path, "rb") as f:
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            if m:
                self.endpoint = "http://127.0.0.1:%d" % int(m.group(1))
                break
            time.sleep(0.05)
        if not self.endpoint:
            self.stop()
            with open(self.log_path, "rb") as f:
                sys.stderr.write(f.read().decode("utf-8", "replace"))
            raise SystemExit("sqsemu did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)   # by PID: this Popen's own process
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                log("server %d did not stop within 15 s, SIGKILL" % self.pid)
                self.proc.kill()
                self.proc.wait(5)
        self.logf.close()


def handler_zip():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("app.py", HANDLER)
    return data.getvalue()


def python_runtime():
    return "python3.%d" % min(max(sys.version_info[1], 9), 14)


def read_results(out_dir):
    """{body: (start, end, batch, pid, process CPU s at start)} of every completed record file;
    handler_cpu[body] = the process CPU its environment had spent inside the handler before."""
    res = {}
    for name in os.listdir(out_dir):
        if name.startswith("."):
            continue
        try:
            with open(os.path.join(out_dir, name)) as f:
                s, e, b, p, c, h = f.read().split()
            res[name] = (float(s), float(e), int(b), int(p), float(c))
            handler_cpu[name] = float(h)
        except (OSError, ValueError):
            pass
    return res


handler_cpu = {}


def wait_count(out_dir, n, dl, limit_s, what, interval=0.02):
    """Waits until out_dir holds n record files. Listing a directory of thousands of files
    costs milliseconds of the same two cores the measured processes run on: the bursts poll
    with a longer interval (their figures come from the files' timestamps, not from when
    this loop notices)."""
    end = time.monotonic() + min(limit_s, max(0.0, dl.left()))
    while True:
        got = len([x for x in os.listdir(out_dir) if not x.startswith(".")])
        if got >= n:
            return got
        if time.monotonic() >= end:
            log("%s: only %d of %d records after %.0f s" % (what, got, n, limit_s))
            return got
        time.sleep(interval)


def max_overlap(intervals):
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals],
                    key=lambda ev: (ev[0], ev[1]))
    best = cur = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best


class Bench:
    def __init__(self, server, work, args, dl):
        import boto3
        from botocore.config import Config
        cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=30,
                     connect_timeout=5, max_pool_connections=16)
        kw = dict(endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id="bench",
                  aws_secret_access_key="bench", config=cfg)
        self.sqs = boto3.client("sqs", **kw)
        self.lam = boto3.client("lambda", **kw)
        self.server, self.work, self.args, self.dl = server, work, args, dl
        # the handlers' record files go to tmpfs when there is one: creating a file per
        # message on a disk costs ~0.5 ms here and would be measured as runtime cost
        shm = "/dev/shm"
        self.rec_dir = tempfile.mkdtemp(prefix="sqsemu-trigger-rec-", dir=shm) \
            if os.path.isdir(shm) and os.access(shm, os.W_OK) else work
        self.zip = handler_zip()
        self.metrics = []
        self.mappings = []

    def emit(self, name, value, unit):
        line = "%s %s %s" % (name, ("%.3f" % value) if isinstance(value, float) else value, unit)
        self.metrics.append(line)
        print(line, flush=True)

    def pipeline(self, tag, batch, concurrency=None, enabled=True, work_ms=0):
        out = os.path.join(self.rec_dir, "out-" + tag)
        os.makedirs(out)
        fn = "bench-%s" % tag
        self.lam.create_function(FunctionName=fn, Runtime=python_runtime(), Role=ROLE,
                                 Handler="app.handler", Code={"ZipFile": self.zip}, Timeout=30,
                                 Environment={"Variables": {"OUT_DIR": out, "WORK_MS": str(work_ms)}})
        url = self.sqs.create_queue(QueueName="bench-" + tag,
                                    Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        arn = "arn:aws:sqs:%s:%s:bench-%s" % (REGION, ACCOUNT, tag)
        kw = dict(FunctionName=fn, EventSourceArn=arn, BatchSize=batch, Enabled=enabled)
        if batch > 10:
            kw["MaximumBatchingWindowInSeconds"] = 1
        if concurrency:
            kw["ScalingConfig"] = {"MaximumConcurrency": concurrency}
        uuid = self.lam.create_event_source_mapping(**kw)["UUID"]
        self.mappings.append(uuid)
        self.wait_state(uuid, "Enabled" if enabled else "Disabled")
        return fn, url, uuid, out

    def wait_state(self, uuid, state):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.lam.get_event_source_mapping(UUID=uuid)["State"] == state:
                return
            time.sleep(0.02)
        raise SystemExit("mapping %s did not reach %s" % (uuid, state))

    def latency(self, tag, batch):
        a = self.args
        fn, url, uuid, out = self.pipeline(tag, batch)
        # warm-up: the first message pays for starting the execution environment
        self.sqs.send_message(QueueUrl=url, MessageBody="warm-0")
        t1 = time.time()
        if wait_count(out, 1, self.dl, 30, tag + " warm-up") < 1:
            raise SystemExit("%s: the warm-up message was never handled" % tag)
        cold = read_results(out)["warm-0"][0]
        self.emit("trigger_%s_cold_start_ms" % tag, (cold - t1) * 1e3, "ms")
        for i in range(1, 4):   # a few more, not measured
            self.sqs.send_message(QueueUrl=url, MessageBody="warm-%d" % i)
            time.sleep(0.05)
        wait_count(out, 4, self.dl, 10, tag + " warm-up")
        sent = {}
        interval = 1.0 / a.rate
        log("%s: %d messages, one every %.0f ms (BatchSize %d)" % (tag, a.messages, interval * 1e3, batch))
        nxt = time.monotonic()
        for i in range(a.messages):
            self.dl.check(tag + " sending")
            body = "m%05d" % i
            ts = time.time()
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
            sent[body] = (ts, time.time())
            nxt += interval
            time.sleep(max(0.0, nxt - time.monotonic()))
        wait_count(out, a.messages + 4, self.dl, 30, tag)
        res = read_results(out)
        from_resp = [(res[b][0] - te) * 1e3 for b, (ts, te) in sent.items() if b in res]
        from_start = [(res[b][0] - ts) * 1e3 for b, (ts, te) in sent.items() if b in res]
        send_ms = [(te - ts) * 1e3 for ts, te in sent.values()]
        batches = [res[b][2] for b in sent if b in res]
        self.emit("trigger_%s_messages" % tag, len(from_resp), "count")
        self.emit("trigger_%s_missing" % tag, a.messages - len(from_resp), "count")
        for p in (50, 95, 99):
            self.emit("trigger_%s_pickup_p%d_ms" % (tag, p), pct(from_resp, p), "ms")
        self.emit("trigger_%s_pickup_max_ms" % tag, max(from_resp) if from_resp else float("nan"), "ms")
        self.emit("trigger_%s_pickup_from_send_start_p50_ms" % tag, pct(from_start, 50), "ms")
        self.emit("trigger_%s_send_p50_ms" % tag, pct(send_ms, 50), "ms")
        self.emit("trigger_%s_mean_batch" % tag, sum(batches) / len(batches) if batches else 0.0, "msgs")
        self.drop(uuid)

    def burst(self, tag, batch):
        a = self.args
        fn, url, uuid, out = self.pipeline(tag, batch, concurrency=a.concurrency, enabled=False,
                                           work_ms=a.work_ms)
        log("%s: putting %d messages on the queue (mapping disabled)" % (tag, a.burst))
        for i in range(0, a.burst, 10):
            self.dl.check(tag + " filling")
            r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": "b%06d" % (i + j)} for j in range(min(10, a.burst - i))])
            if r.get("Failed"):
                raise SystemExit("%s: SendMessageBatch failed: %r" % (tag, r["Failed"][:2]))
        log("%s: enabling the mapping (BatchSize %d, MaximumConcurrency %d)" % (tag, batch, a.concurrency))
        cpu0 = proc_cpu_s(self.server.pid)
        mt0 = machine_ticks()
        t0 = time.time()
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        got = wait_count(out, a.burst, self.dl, 300, tag, interval=0.25)
        cpu1 = proc_cpu_s(self.server.pid)
        mt1 = machine_ticks()
        t_seen = time.time()
        res = read_results(out)
        # the execution environments are still alive (idle timeout): their whole CPU use,
        # python start-up included
        env_cpu = [proc_cpu_s(p) for p in {v[3] for v in res.values()}]
        ends = sorted(v[1] for v in res.values())
        last = ends[-1] if ends else t_seen
        span = last - t0
        self.emit("trigger_%s_handled" % tag, len(res), "count")
        self.emit("trigger_%s_missing" % tag, a.burst - len(res), "count")
        self.emit("trigger_%s_msgs_per_s" % tag, len(res) / span if span > 0 else float("nan"), "msgs/s")
        if len(ends) >= 10:
            lo, hi = ends[int(len(ends) * 0.1)], ends[int(len(ends) * 0.9) - 1]
            n = int(len(ends) * 0.9) - int(len(ends) * 0.1)
            self.emit("trigger_%s_steady_msgs_per_s" % tag, n / (hi - lo) if hi > lo else float("nan"), "msgs/s")
        self.emit("trigger_%s_first_start_ms" % tag,
                  (min(v[0] for v in res.values()) - t0) * 1e3 if res else float("nan"), "ms")
        inv = {}
        for s, e, b, p, c in res.values():
            inv[(s, p)] = (s, e)
        self.emit("trigger_%s_invocations" % tag, len(inv), "count")
        self.emit("trigger_%s_max_overlap" % tag, max_overlap(list(inv.values())), "invocations")
        self.emit("trigger_%s_environments" % tag, len({v[3] for v in res.values()}), "count")
        # steady runtime CPU per invocation: per environment, process CPU between its first
        # and its last handler start over the invocations in between (start-up excluded)
        # and the runtime client's own share: the same minus the CPU spent inside the handler
        per_env = {}
        for body, (s, e, b, p, c) in res.items():
            per_env.setdefault(p, {})[s] = (c, handler_cpu.get(body, 0.0))
        cpu_sum, client_sum, inv_sum = 0.0, 0.0, 0
        for starts in per_env.values():
            if len(starts) >= 2:
                ks = sorted(starts)
                (c0, h0), (c1, h1) = starts[ks[0]], starts[ks[-1]]
                cpu_sum += c1 - c0
                client_sum += (c1 - c0) - (h1 - h0)
                inv_sum += len(ks) - 1
        if inv_sum:
            self.emit("trigger_%s_runtime_cpu_us_per_invocation" % tag, 1e6 * cpu_sum / inv_sum, "us")
            self.emit("trigger_%s_runtime_client_cpu_us_per_invocation" % tag, 1e6 * client_sum / inv_sum, "us")
        if cpu0 is not None and cpu1 is not None and res:
            self.emit("trigger_%s_server_cpu_us_per_msg" % tag, 1e6 * (cpu1 - cpu0) / len(res), "us")
            self.emit("trigger_%s_server_cpu_pct" % tag, 100.0 * (cpu1 - cpu0) / max(1e-3, t_seen - t0), "%")
        if res and env_cpu and None not in env_cpu:
            self.emit("trigger_%s_runtime_cpu_total_us_per_msg" % tag, 1e6 * sum(env_cpu) / len(res), "us")
        busy = 100.0 * (1 - (mt1[1] - mt0[1]) / max(1, mt1[0] - mt0[0]))
        self.emit("trigger_%s_machine_cpu_pct" % tag, busy, "%")
        self.drop(uuid)

    def idle(self, tag="idle", secs=5.0):
        """An enabled mapping on an empty queue with a warm environment: sqsemu and the
        environment should both sit at ~0 % CPU (the poller parks as a long-poll waiter,
        the runtime blocks in GET /next)."""
        fn, url, uuid, out = self.pipeline(tag, 10)
        self.sqs.send_message(QueueUrl=url, MessageBody="idle-warm")
        if wait_count(out, 1, self.dl, 30, tag) < 1:
            raise SystemExit("%s: the warm-up message was never handled" % tag)
        env = read_results(out)["idle-warm"][3]
        time.sleep(0.5)
        s0, e0 = proc_cpu_s(self.server.pid), proc_cpu_s(env)
        time.sleep(secs)
        s1, e1 = proc_cpu_s(self.server.pid), proc_cpu_s(env)
        if s0 is not None and s1 is not None:
            self.emit("trigger_idle_server_cpu_pct", 100.0 * (s1 - s0) / secs, "%")
        if e0 is not None and e1 is not None:
            self.emit("trigger_idle_environment_cpu_pct", 100.0 * (e1 - e0) / secs, "%")
        self.drop(uuid)

    def drop(self, uuid):
        try:
            self.lam.delete_event_source_mapping(UUID=uuid)
            self.mappings.remove(uuid)
        except Exception as e:  # best effort; the server is thrown away anyway
            log("delete mapping %s: %s" % (uuid, e))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=200, help="latency: messages per variant (max 2000)")
    ap.add_argument("--rate", type=float, default=20.0, help="latency: messages per second (max 200)")
    ap.add_argument("--burst", type=int, default=2000, help="throughput: messages per variant (max 20000)")
    ap.add_argument("--concurrency", type=int, default=5, help="throughput: ScalingConfig.MaximumConcurrency")
    ap.add_argument("--work-ms", type=float, default=0.0,
                    help="throughput: the handler sleeps this long per invocation (max 1000)")
    ap.add_argument("--tests", default="latency_b1,latency_b10,burst_b1,burst_b10,burst_b100",
                    help="comma-separated subset")
    ap.add_argument("--no-idle", action="store_true", help="skip the idle-CPU check at the end")
    ap.add_argument("--in-memory", action="store_true", help="start sqsemu with --in-memory")
    ap.add_argument("--bin", help="use this sqsemu binary instead of building build-release/sqsemu")
    ap.add_argument("--runtimes", help="the runtime clients' directory (default: runtimes/ of this tree)")
    ap.add_argument("--max-seconds", type=float, default=900, help="limit for the whole run")
    ap.add_argument("--out", help="also write the metric lines to this file "
                    "(default bench-out/trigger-<time>.txt in the repository)")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory (server log, records)")
    a = ap.parse_args()
    a.messages = max(1, min(a.messages, 2000))
    a.rate = max(0.1, min(a.rate, 200.0))
    a.burst = max(10, min(a.burst, 20000))
    a.concurrency = max(2, min(a.concurrency, 1000))
    a.work_ms = max(0.0, min(a.work_ms, 1000.0))
    dl = Deadline(a.max_seconds)

    if not a.bin:
        build()
    work = tempfile.mkdtemp(prefix="sqsemu-trigger-")
    server = Server(work, a.in_memory, a.bin, a.runtimes)
    log("sqsemu pid %d on %s, work dir %s" % (server.pid, server.endpoint, work))
    status = 0
    b = None
    try:
        b = Bench(server, work, a, dl)
        b.emit("trigger_cpus", os.cpu_count(), "count")
        b.emit("trigger_burst_work_ms", a.work_ms, "ms")
        b.emit("trigger_loadavg_start", float(open("/proc/loadavg").read().split()[0]), "load")
        for t in [x.strip() for x in a.tests.split(",") if x.strip()]:
            kind, _, bs = t.partition("_b")
            if kind not in ("latency", "burst") or not bs.isdigit():
                raise SystemExit("unknown test %r" % t)
            getattr(b, kind)(t, int(bs))
        if not a.no_idle:
            b.idle()
        rss = None
        with open("/proc/%d/status" % server.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
        if rss is not None:
            b.emit("trigger_server_rss_mb", rss, "MiB")
    except (TimeoutError, SystemExit, Exception) as e:
        log("error: %s: %s" % (type(e).__name__, e))
        status = 1
    finally:
        alive = server.proc.poll() is None
        server.stop()
        if not alive:
            log("WARNING: the server exited during the run")
            status = 1
        rec = getattr(b, "rec_dir", work)
        if a.keep:
            log("kept", work, rec)
        else:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(rec, ignore_errors=True)
    if b is not None and b.metrics:
        out = a.out or os.path.join(ROOT, "bench-out", time.strftime("trigger-%Y%m%d-%H%M%S.txt"))
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            f.write("\n".join(b.metrics) + "\n")
        log("metrics in %s" % out)
    return status


if __name__ == "__main__":
    sys.exit(main())
