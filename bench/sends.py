"""CPU per subscribe-message send: the reminder fan-out's bulk sender (server/wechat/bulk.py)
beside the gateway's send_subscribe (wechatpy + requests, the token read from Redis per call),
alternating in the same run against the sandbox (its own process), many sends in flight from
a thread pool as in a reminder batch. Reports this process's CPU time per send (what a worker
spends; the sandbox's is not counted) — medians of the rounds and their ratio.

    .venv/bin/python bench/sends.py [--sends 3000] [--threads 32] [--rounds 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from harness import app_in_process, environment

DATA = {"thing1": {"value": "第1号皮带输送机自动纠偏装置"}, "time2": {"value": "2026-09-05 23:59"},
        "thing3": {"value": "请在截止前提交申报"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with environment(sandbox_threads=64) as env:
        app = app_in_process(env)
        from server.wechat import gateway
        from server.wechat.bulk import BulkSender
        with app.app_context():
            clients = {"gateway": gateway(), "bulk": BulkSender(gateway())}
            got: dict[str, list[float]] = {name: [] for name in clients}
            with ThreadPoolExecutor(args.threads) as pool:
                for name, client in clients.items():       # warm: connections, token
                    list(pool.map(lambda i: client.send_subscribe(f"o-{i}", "tmpl", DATA), range(200)))
                for _ in range(args.rounds):
                    for name, client in clients.items():
                        cpu = time.process_time()
                        list(pool.map(lambda i: client.send_subscribe(f"o-{i}", "tmpl", DATA), range(args.sends)))
                        got[name].append(1e6 * (time.process_time() - cpu) / args.sends)
    load = os.getloadavg()[0]
    for name, values in got.items():
        print(f"{name:8s} CPU per send: median {statistics.median(values):6.0f} µs  "
              f"(rounds {', '.join(f'{v:.0f}' for v in values)})")
    print(f"bulk ÷ gateway: {statistics.median(got['bulk']) / statistics.median(got['gateway']):.2f}  "
          f"({args.sends} sends × {args.rounds} rounds each, {args.threads} threads, load {load:.1f})")


if __name__ == "__main__":
    main()
