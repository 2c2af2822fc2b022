#!/usr/bin/env python3
"""A DNS server on loopback that answers every query NXDOMAIN and records
the names asked, one per line, in LOG: the tests' resolv.conf names it
(scripts/no-dns.sh), so a test that resolves a name through the system
resolver sends its query here, never off the machine, and is caught.

    python3 scripts/dns_sink.py LOG
prints the address it listens on (127.x.y.z, port 53, UDP and TCP) as its
first line once ready; runs until killed.
"""
import random
import socket
import struct
import sys
import threading


def qname(msg):
    """The first question's name, dotted; '?' when the message is malformed."""
    labels, i = [], 12
    try:
        while msg[i]:
            n = msg[i]
            labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
            i += 1 + n
        return ".".join(labels) or "."
    except IndexError:
        return "?"


def nxdomain(msg):
    """The query back as a response: QR, RD and RA set, RCODE 3, no answers."""
    if len(msg) < 12:
        return None
    flags = struct.unpack("!H", msg[2:4])[0]
    flags = 0x8000 | (flags & 0x7900) | 0x0080 | 3
    return msg[:2] + struct.pack("!H", flags) + msg[4:6] + b"\0\0\0\0\0\0" + msg[12:]


def record(log, lock, name):
    with lock:
        with open(log, "a") as f:
            f.write(name + "\n")


def serve_udp(sock, log, lock):
    while True:
        msg, peer = sock.recvfrom(4096)
        record(log, lock, qname(msg))
        reply = nxdomain(msg)
        if reply:
            sock.sendto(reply, peer)


def serve_tcp(sock, log, lock):
    while True:
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(2)
            try:
                size = struct.unpack("!H", conn.recv(2))[0]
                msg = conn.recv(size)
            except (OSError, struct.error):
                continue
            record(log, lock, qname(msg))
            reply = nxdomain(msg)
            if reply:
                conn.sendall(struct.pack("!H", len(reply)) + reply)


def bind_somewhere():
    """UDP and TCP port 53 on a random 127.x.y.z not taken by another run."""
    for _ in range(50):
        addr = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 254), random.randint(2, 254))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            udp.bind((addr, 53))
            tcp.bind((addr, 53))
            tcp.listen(16)
            return addr, udp, tcp
        except OSError:
            udp.close()
            tcp.close()
    sys.exit("dns_sink: cannot bind port 53 on loopback")


def main():
    log = sys.argv[1]
    open(log, "w").close()
    lock = threading.Lock()
    addr, udp, tcp = bind_somewhere()
    threading.Thread(target=serve_tcp, args=(tcp, log, lock), daemon=True).start()
    print(addr, flush=True)
    serve_udp(udp, log, lock)


if __name__ == "__main__":
    main()
