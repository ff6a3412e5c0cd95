#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bad HTTP against memtrace serve, each case answered (with the status
given) or dropped, then a good scrape; exits 1 naming the first case
that went otherwise.

  http_abuse.py HOST PORT [ROUNDS]

Every wait is bounded: a socket times out after 20 s (serve gives a
client 5 s to send its request)."""
import socket
import sys
import time


def exchange(host, port, data, wait_close=True, pause=0.0):
    """Sends data (a list of pieces, pause seconds apart); returns what
    came back until serve closed the connection (or the first response
    when wait_close is False)."""
    s = socket.create_connection((host, port), timeout=20)
    try:
        for i, piece in enumerate(data):
            if i and pause:
                time.sleep(pause)
            try:
                s.sendall(piece)
            except OSError:
                break           # serve has answered and closed
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return got + b"<timeout>"
            except ConnectionResetError:
                return got
            if not chunk:
                return got
            got += chunk
            if not wait_close and b"\r\n\r\n" in got:
                return got
    finally:
        s.close()


def status(resp):
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


CASES = [
    ("malformed request line", [b"GARBAGE\r\n\r\n"], 400),
    ("no version", [b"GET /metrics\r\n\r\n"], 400),
    ("absolute form", [b"GET http://x/metrics HTTP/1.1\r\n\r\n"], 400),
    ("HTTP/2 preface", [b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], 400),
    ("HTTP/3.0", [b"GET / HTTP/3.0\r\n\r\n"], 505),
    ("control byte in target", [b"GET /\x01 HTTP/1.1\r\n\r\n"], 400),
    ("space before colon", [b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"], 400),
    ("folded header", [b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"], 400),
    ("huge header", [b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"], 431),
    ("many headers", [b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 100 + b"\r\n"], 431),
    ("body", [b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"], 400),
    ("POST", [b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"],
     405),
    ("unknown path", [b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"], 404),
    ("pid not a number",
     [b"GET /debug/pprof/heap?pid=x1 HTTP/1.1\r\nConnection: close\r\n\r\n"], 400),
    ("no pid", [b"GET /debug/pprof/heap HTTP/1.1\r\nConnection: close\r\n\r\n"], 400),
    ("pid not traced",
     [b"GET /debug/pprof/heap?pid=1 HTTP/1.1\r\nConnection: close\r\n\r\n"], 404),
    ("pid too large",
     [b"GET /debug/pprof/heap?pid=99999999999999999999 HTTP/1.1\r\n"
      b"Connection: close\r\n\r\n"], 400),
]


def good_scrape(host, port):
    resp = exchange(host, port, [b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
    return status(resp) == 200 and b"memtrace_build_info" in resp


def one_round(host, port):
    for name, data, want in CASES:
        got = status(exchange(host, port, data))
        if got != want:
            return "%s: status %s, not %s" % (name, got, want)
        if not good_scrape(host, port):
            return "after %s: the next scrape failed" % name
    # A client that sends half a request and stops: 408 within 5 s.
    got = exchange(host, port, [b"GET /metr"])
    if status(got) != 408:
        return "slow client: %r, not a 408" % got[:40]
    # One that sends a byte a second: still 5 s for the whole request.
    got = exchange(host, port, [b"G", b"E", b"T", b" ", b"/", b" ", b"H", b"T"], pause=1.0)
    if status(got) != 408:
        return "trickling client: %r, not a 408" % got[:40]
    # 1,000 connections opened and dropped, 200 at a time (serve keeps
    # at most 64 and answers the others 503).
    for _ in range(5):
        socks = []
        for _ in range(200):
            try:
                socks.append(socket.create_connection((host, port), timeout=20))
            except OSError as e:
                return "connection refused: %s" % e
        for s in socks:
            s.close()
    if not good_scrape(host, port):
        return "after 1000 dropped connections: the next scrape failed"
    return None


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for r in range(rounds):
        err = one_round(host, port)
        if err:
            print("round %d: %s" % (r, err))
            return 1
    print("ok: %d rounds" % rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
